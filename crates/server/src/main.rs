//! stagecraft CLI.
fn main() {}
