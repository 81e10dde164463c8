//! Index expression resolution against a snapshot of index metadata.
