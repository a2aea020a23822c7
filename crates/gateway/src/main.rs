fn main() { println!("flexgate {}", env!("CARGO_PKG_VERSION")); }
