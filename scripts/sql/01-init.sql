-- Run once by the MySQL container at first start (docker-compose mounts this
-- directory at /docker-entrypoint-initdb.d). Creates the database and the
-- application user; the tables come from the versioned migrations that
-- `server migrate up` (or server.migrate_on_start) applies.
CREATE DATABASE IF NOT EXISTS oceanops CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'oceanops'@'%' IDENTIFIED BY 'oceanops-dev-password';
GRANT ALL PRIVILEGES ON oceanops.* TO 'oceanops'@'%';
FLUSH PRIVILEGES;
