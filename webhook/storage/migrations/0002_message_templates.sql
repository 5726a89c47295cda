-- A notification's own message template ("{{name}} just bought {{product.name}}"); NULL means the default text.
ALTER TABLE notifications ADD COLUMN template TEXT;
