-- Hardening (issue 12).
--
-- The signature scheme a notification takes: the header of its first valid signed call (signatures.SCHEMES),
-- cleared when the signing secret changes. Signatures made for another scheme are refused, so a Stripe
-- signature can't be replayed as an X-Proofhook-Signature over "{t}.{body}".
ALTER TABLE notifications ADD COLUMN signing_scheme TEXT;
