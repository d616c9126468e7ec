//! The stored forms of the auth partition's items (`keys::auth_pk`): login
//! sessions and the pending e-mail code. Only the users function reads and
//! writes them (its `store` module); the types and keys stay here, with the
//! other key formats, for the test kit that seeds them.

use super::{keys, Entity, Item};
use crate::domain::users::{EmailCode, Session};
use crate::error::Error;

impl Entity for Session {
    const NAME: &'static str = keys::entity::SESSION;
    fn key(&self) -> (String, String) {
        keys::session_key(&self.user_id, &self.id)
    }
}

impl Entity for EmailCode {
    const NAME: &'static str = keys::entity::EMAIL_CODE;
    fn key(&self) -> (String, String) {
        keys::email_code_key(&self.user_id)
    }
}

pub fn session_item(session: &Session) -> Result<Item, Error> {
    session.to_item()
}

pub fn code_item(code: &EmailCode) -> Result<Item, Error> {
    code.to_item()
}
