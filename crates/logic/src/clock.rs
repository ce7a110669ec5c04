//! The wall clock, read in one place so the domain can take time as an
//! argument: the ports' clock, which the gateway reads too.

pub use ferrochat_ports::clock::now;
