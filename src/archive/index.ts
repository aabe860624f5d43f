/**
 * archive/ — moving images as files: `import` of root filesystem tarballs, `bootstrap` of Debian base
 * images with mmdebstrap (and `save`/`load` of docker-archive and OCI layouts). It knows nothing of
 * the network.
 */
export { importRootfs, type ImportOptions } from './import.js';
export { bootstrapDebian, releaseDate, type BootstrapOptions } from './bootstrap.js';
