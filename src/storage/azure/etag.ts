// Azure answers ETags quoted in headers ("0x8DC…" from upload, commit and getProperties) but bare
// in List Blobs XML (0x8DC…). The backend hands out the quoted form everywhere, so list(), head()
// and put() agree, and it is exactly what If-Match expects.

export function normalizeEtag(etag: string): string {
  return etag.startsWith('"') || etag.startsWith('W/"') ? etag : `"${etag}"`;
}
