/**
 * The longest free text a request field may hold: a `reason`, `note` or `description` kept with
 * what it changes, or who made the change (`author`, `reviewer`, `by`). A sentence or two fits;
 * the histories, alerts and log lines that show it stay readable, and a value never nears
 * PostgreSQL's limit on an indexed key (about 2,700 bytes).
 */
export const MAX_FREE_TEXT = 500;
