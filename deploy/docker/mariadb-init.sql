-- The CDC connector's user: replication rights to read the binlog, SELECT for the snapshot,
-- RELOAD for the global read lock a MySQL snapshot takes (MariaDB does not need it).
CREATE USER IF NOT EXISTS 'cdc'@'%' IDENTIFIED BY 'cdc';
GRANT SELECT, RELOAD, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'cdc'@'%';
