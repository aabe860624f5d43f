/**
 * archive/ — moving images as files: `save` (docker-archive + OCI layout in one tar, as Docker 25+
 * writes), `load` (docker-archive of every docker era, podman's and skopeo's archives, OCI layouts
 * in a tar or a directory), `import` of root filesystem tarballs and `bootstrap` of Debian base
 * images with mmdebstrap. It knows nothing of the network.
 */
export { importRootfs, type ImportOptions } from './import.js';
export { bootstrapDebian, releaseDate, type BootstrapOptions } from './bootstrap.js';
export { loadArchive, loadDirectory, type LoadOptions, type LoadedImage } from './load.js';
export { saveArchive, resolveSaveItems, selectSavePlatforms, archiveDocuments, type SaveItem, type SaveOptions } from './save.js';
export { normalizeArchivePath, type ArchiveFiles } from './archive-files.js';
export { ArchiveDataError, ArchiveFormatError, ImagePlatformMismatchError, type ArchiveErrorCode } from './errors.js';
