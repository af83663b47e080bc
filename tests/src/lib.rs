//! Test support: the reference oracle and scenario helpers.
