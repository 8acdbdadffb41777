//! Tauri commands, generated from the core's command table: each converts,
//! delegates to `bhxh_desk_core::api`, and returns `{code, message}` errors.
//!
//! Every command runs off the main thread: on Linux the main thread is GTK's,
//! which paints the window, and a queue decrypted or a password stretched there
//! would freeze the screen. `blocking` and `raw` commands run on a blocking
//! thread, `awaits` ones on the async runtime.

use bhxh_desk_core::ipc::*;
use bhxh_desk_core::{AppError, Desk, ErrorCode, api};
use std::sync::Arc;
use tauri::State;

type Res<T> = Result<T, AppError>;
type DeskState<'a> = State<'a, Arc<Desk>>;

async fn blocking<T: Send + 'static>(desk: &Arc<Desk>, f: impl FnOnce(&Desk) -> Res<T> + Send + 'static) -> Res<T> {
    let desk = Arc::clone(desk);
    tauri::async_runtime::spawn_blocking(move || f(&desk)).await.map_err(AppError::internal)?
}

macro_rules! tauri_command {
    (awaits $name:ident $in:ty, $out:ty) => {
        #[tauri::command]
        pub async fn $name(desk: DeskState<'_>, input: $in) -> Res<$out> {
            api::$name(&desk, input).await
        }
    };
    (blocking $name:ident $in:ty, $out:ty) => {
        #[tauri::command]
        pub async fn $name(desk: DeskState<'_>, input: $in) -> Res<$out> {
            blocking(&desk, move |d| api::$name(d, input)).await
        }
    };
    // The page sends the bytes as an `ArrayBuffer`: no JSON, no base64.
    (raw $name:ident $in:ty, $out:ty) => {
        #[tauri::command]
        pub async fn $name(desk: DeskState<'_>, request: tauri::ipc::Request<'_>) -> Res<$out> {
            let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
                return Err(AppError::new(
                    ErrorCode::Validation,
                    "Không nhận được nội dung tệp.",
                    "The file's content did not arrive.",
                ));
            };
            let input = <$in>::from(bytes.clone());
            blocking(&desk, move |d| api::$name(d, input)).await
        }
    };
}

macro_rules! tauri_commands {
    ($($(#[$m:meta])* $name:ident : $in:ty => $out:ty, $who:ident, $how:ident |$d:ident, $i:pat_param| $body:expr;)*) => {
        $(tauri_command!($how $name $in, $out);)*
    };
}

bhxh_desk_core::command_table!(tauri_commands);

/// The handler of every command of the table.
macro_rules! handler {
    ($($(#[$m:meta])* $name:ident : $in:ty => $out:ty, $who:ident, $how:ident |$d:ident, $i:pat_param| $body:expr;)*) => {
        tauri::generate_handler![$($crate::commands::$name),*]
    };
}
