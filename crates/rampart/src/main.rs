//! The `rampart` command.

fn main() {
    println!("rampart: engine only (server arrives with the server issue)");
}
