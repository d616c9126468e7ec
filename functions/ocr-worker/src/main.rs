//! Lambda entry point.

fn main() {
    // Wired to shared::runtime::sqs once the worker's state exists.
}
