//! The commands of [`crate::command_table!`] as typed functions, and everything
//! else the table gives: the command list, the access rule, the UI's
//! `CommandSchema`, and [`invoke`] (any command by name, JSON in and out — what the
//! window's calls do, callable without a window; the role-matrix test drives it).

use crate::Desk;
use crate::access::{self, Access, Who};
use crate::error::{AppError, ErrorCode};
use crate::ipc::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use ts_rs::TS;

fn input<T: DeserializeOwned>(args: Value) -> Result<T, AppError> {
    serde_json::from_value(args).map_err(|e| {
        tracing::warn!(error = %e, "malformed command input");
        AppError::new(
            ErrorCode::Validation,
            "Dữ liệu gửi lên không đúng định dạng.",
            "The data sent is not in the expected format.",
        )
    })
}

fn output<T: Serialize>(v: T) -> Result<Value, AppError> {
    serde_json::to_value(v).map_err(AppError::internal)
}

macro_rules! api_fn {
    (awaits $(#[$m:meta])* $name:ident $in:ty, $out:ty, $who:ident |$d:ident, $i:pat_param| $body:expr) => {
        $(#[$m])*
        pub async fn $name(desk: &Desk, input: $in) -> Result<$out, AppError> {
            let access = <access::$who as Who>::ACCESS;
            desk.admit(access, stringify!($name))?;
            let ($d, $i) = (desk, input);
            // A lock or a logout stops the call where it waits (on the central service).
            desk.until_closed(access, async move { $body }).await
        }
    };
    (blocking $(#[$m:meta])* $name:ident $in:ty, $out:ty, $who:ident |$d:ident, $i:pat_param| $body:expr) => {
        $(#[$m])*
        pub fn $name(desk: &Desk, input: $in) -> Result<$out, AppError> {
            desk.admit(<access::$who as Who>::ACCESS, stringify!($name))?;
            let ($d, $i) = (desk, input);
            $body
        }
    };
    (raw $($rest:tt)*) => {
        api_fn!(blocking $($rest)*);
    };
}

macro_rules! call_by_name {
    (awaits $name:ident $desk:ident $args:ident) => {
        output($name($desk, input($args)?).await?)
    };
    (blocking $name:ident $desk:ident $args:ident) => {
        output($name($desk, input($args)?)?)
    };
    (raw $name:ident $desk:ident $args:ident) => {
        output($name($desk, input($args)?)?)
    };
}

macro_rules! desk_api {
    ($($(#[$m:meta])* $name:ident : $in:ty => $out:ty, $who:ident, $how:ident |$d:ident, $i:pat_param| $body:expr;)*) => {
        $(api_fn!($how $(#[$m])* $name $in, $out, $who |$d, $i| $body);)*

        /// The commands' names, in the table's order.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// The rule of a command of the table; `None` for any other name.
        pub fn rule(command: &str) -> Option<Access> {
            match command {
                $(stringify!($name) => Some(<access::$who as Who>::ACCESS),)*
                _ => None,
            }
        }

        /// The command list as one type: `[request, response]` per command, so the
        /// UI's `call()` is typed end to end.
        #[derive(TS)]
        #[ts(export)]
        #[allow(dead_code)]
        pub struct CommandSchema {
            $(pub $name: ($in, $out),)*
            pub error: ((), AppError),
        }

        /// Runs `command` with `args` (the command's input object, or `null`).
        pub async fn invoke(desk: &Desk, command: &str, args: Value) -> Result<Value, AppError> {
            match command {
                $(stringify!($name) => call_by_name!($how $name desk args),)*
                other => Err(AppError::new(
                    ErrorCode::NotFound,
                    format!("Không có lệnh \"{other}\"."),
                    format!("There is no command \"{other}\"."),
                )),
            }
        }
    };
}

crate::command_table!(desk_api);
