"""Pure domain logic: no I/O, no Qt, no SQL. Functions take ``now`` instead of reading a clock."""
