/** Tact's version, as `tact --version`, `GET /health` and the OpenAPI document give it (a module of its own: the CLI reads it without loading the server). */
export const VERSION = '0.1.0';
