//! What the helpdesk needs that is pure: reading what the agent typed into the one
//! search box, masking contact details, choosing and filling the scripts read to callers.

pub mod mask;
pub mod query;
pub mod scripts;

pub use mask::{mask_email, mask_id_number, mask_phone};
pub use query::{LookupKey, NameQuery, SearchQuery};
pub use scripts::{
    AccountState, CaseFacts, PhoneCheck, RegistrationState, RequestState, Script, ScriptBook, ScriptBookError, fill,
};
