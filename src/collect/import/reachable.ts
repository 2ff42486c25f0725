/**
 * Fails at once when the server's address cannot be the Tact server the import is meant for, with
 * a sentence naming the URL; any other failure (a timeout, a DNS server that does not answer now,
 * a connection reset once made) is left to the import, which retries for about half a minute — that
 * suits a server restarting mid-import, not a wrong --url or a server never started.
 *
 * @example
 * await reachable('http://127.0.0.1:8787'); // throws "Nothing answers at …" when no server listens there
 */
export async function reachable(url: string, timeoutMs = 10_000): Promise<void> {
  try {
    await fetch(`${url.replace(/\/$/, '')}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    // (Said by tact's error text, which names where the URL came from: --url, TACT_URL or the default.)
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') throw err;
    const problem = connectionProblem(url, err);
    if (problem) throw new Error(problem, { cause: err });
  }
}

/** TLS failures of a certificate that will not be trusted on a retry (Node's codes, from OpenSSL's X509 verify errors). */
const CERTIFICATE = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE|DECRYPT_CERT_SIGNATURE|GET_ISSUER_CERT_LOCALLY)|ERR_TLS_CERT_ALTNAME_INVALID|INVALID_CA|HOSTNAME_MISMATCH)/;

/**
 * The sentence for a failed request to `url` that a retry will not mend — no route to the host, a
 * connection reset as it is made, a TLS handshake that fails, something that is not an HTTP server
 * — or undefined for one worth retrying (a timeout, EAI_AGAIN: DNS not answering now, a reset
 * once connected).
 *
 * @example
 * connectionProblem('https://127.0.0.1:8787', fetchError); // 'The TLS handshake with https://127.0.0.1:8787 failed (…): is the server there plain HTTP? …'
 */
export function connectionProblem(url: string, err: unknown): string | undefined {
  const cause = ((err as Error | undefined)?.cause ?? err) as (NodeJS.ErrnoException & { name?: string }) | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  const why = cause?.message ? cause.message.split('\n')[0] : code;
  const https = url.startsWith('https:');
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return `There is no route to ${url} (${code}): check the --url (or TACT_URL) and this machine's network.`;
  if (code === 'ECONNRESET' && cause?.syscall === 'connect') return `The connection to ${url} was reset as it was made (ECONNRESET): something there refuses it (a firewall, or a service that is not Tact's); check the --url (or TACT_URL).`;
  if (CERTIFICATE.test(code)) return `The TLS certificate of ${url} is not trusted (${code}: ${why}): give Node its certificate authority with NODE_EXTRA_CA_CERTS, or check the --url (or TACT_URL).`;
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || code.startsWith('ERR_TLS_')) return `The TLS handshake with ${url} failed (${code}): is the server there plain HTTP? If so, use http:// in the --url (or TACT_URL).`;
  // A TLS server closes a plain HTTP request without an answer; an HTTP server answers every one.
  if (code === 'UND_ERR_SOCKET' && !https) return `${url} closed the connection without answering (${why}): is the server there HTTPS? If so, use https:// in the --url (or TACT_URL).`;
  // llhttp's parse error: code HPE_… on Node 20 and 22; on Node 24 the code is left unset, the name stays.
  if (code.startsWith('HPE_') || cause?.name === 'HTTPParserError') return `What answers at ${url} is not an HTTP server (${why}): check the --url (or TACT_URL).`;
  return undefined;
}
