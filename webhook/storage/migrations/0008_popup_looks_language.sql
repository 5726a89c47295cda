-- What a visitor reads and sees: the popup's language and its look (README, "Languages" and "Looks").
--
-- language is a BCP 47 tag of a supported language (webhook/locales/); the look columns hold one of a few words
-- each (checked in schemas.py) and the accent colour as #rrggbb. Existing notifications keep today's popup.
ALTER TABLE notifications ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE notifications ADD COLUMN theme TEXT NOT NULL DEFAULT 'light';
ALTER TABLE notifications ADD COLUMN accent TEXT NOT NULL DEFAULT '#3046c5';
ALTER TABLE notifications ADD COLUMN corners TEXT NOT NULL DEFAULT 'rounded';
ALTER TABLE notifications ADD COLUMN size TEXT NOT NULL DEFAULT 'regular';
ALTER TABLE notifications ADD COLUMN picture TEXT NOT NULL DEFAULT 'product';
