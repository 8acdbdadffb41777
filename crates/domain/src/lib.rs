//! Domain types of bhxh-desk. No I/O: everything here is a value or a pure function.

pub mod declaration;
pub mod ids;
pub mod role;

pub use declaration::{Channel, DeclarationKind, DeclarationStatus, DocumentKind};
pub use ids::{Cccd, IdError, MaSoBhxh, OfficeCode};
pub use role::Role;
