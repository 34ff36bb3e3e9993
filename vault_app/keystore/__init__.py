"""Where the database key comes from: the OS keyring, or a passphrase that unwraps it.

The database is encrypted under one random 256-bit key. That key never touches the disk in the
clear: the key file holds it wrapped under a passphrase, and/or the OS keyring holds it.
"""
