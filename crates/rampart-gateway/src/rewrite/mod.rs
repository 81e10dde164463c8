//! Request rewriting.
