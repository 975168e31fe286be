// Limits Telnyx enforces only after accepting a fax (shared/telnyx/FAX_API.md): above them the fax
// fails late, after the sender was told it was queued, so the bridge refuses early.
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
export const MAX_FAX_PAGES = 350;
