-- The default catalogs a fresh store starts with. Operators change them through GraphQL afterwards;
-- this migration runs once, so a purpose or attribute an operator removed or edited is never restored.
INSERT INTO "consent_purposes" ("key", "title", "description", "version", "created_at", "updated_at") VALUES
  ('marketing_email', 'Marketing email', 'News, offers and event invitations sent by email.', 1, now(), now()),
  ('product_updates', 'Product updates', 'Announcements about changes to the products and services you use.', 1, now(), now()),
  ('analytics', 'Analytics', 'Measuring how our sites and apps are used, to improve them.', 1, now(), now()),
  ('partner_sharing', 'Sharing with partners', 'Sharing your profile with selected partners so they can make you offers.', 1, now(), now())
ON CONFLICT ("key") DO NOTHING;
--> statement-breakpoint
INSERT INTO "attribute_definitions" ("name", "type", "description", "personal_data", "builtin", "constraints", "created_at", "updated_at") VALUES
  ('givenName', 'STRING', 'Given (first) name.', true, true, '{"maxLength": 100}', now(), now()),
  ('familyName', 'STRING', 'Family (last) name.', true, true, '{"maxLength": 100}', now(), now()),
  ('phoneNumber', 'PHONE_NUMBER', 'Phone number in E.164 form, such as +14155550100.', true, true, '{}', now(), now()),
  ('locale', 'LOCALE', 'Preferred language as a BCP 47 tag, such as en-GB.', false, true, '{}', now(), now()),
  ('birthDate', 'DATE', 'Date of birth, YYYY-MM-DD.', true, false, '{}', now(), now()),
  ('country', 'STRING', 'Country of residence as an ISO 3166-1 alpha-2 code.', false, false, '{"pattern": "^[A-Z]{2}$"}', now(), now()),
  ('company', 'STRING', 'Employer or organisation.', false, false, '{"maxLength": 200}', now(), now()),
  ('jobTitle', 'STRING', 'Role at the company.', false, false, '{"maxLength": 200}', now(), now()),
  ('newsletterFrequency', 'STRING', 'How often the customer wants the newsletter.', false, false, '{"allowedValues": ["daily", "weekly", "monthly"]}', now(), now())
ON CONFLICT ("name") DO NOTHING;
