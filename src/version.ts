/** gantry's version, and the docker API version it mirrors in `version` output. */
export const VERSION = '0.1.0';
