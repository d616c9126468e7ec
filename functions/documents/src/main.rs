//! Lambda entry point.

fn main() {}
