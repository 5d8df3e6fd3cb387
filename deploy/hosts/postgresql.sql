-- The PostgreSQL host (Debian's postgresql): `sudo -u postgres psql -f postgresql.sql`, then allow
-- the app and worker hosts in pg_hba.conf, e.g.
--   host letter_scanner letter_scanner 10.0.0.0/24 scram-sha-256
-- and listen_addresses = '10.0.0.5' in postgresql.conf. The app creates its tables itself.
CREATE ROLE letter_scanner LOGIN PASSWORD 'PASSWORD';
CREATE DATABASE letter_scanner OWNER letter_scanner;
