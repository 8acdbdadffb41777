//! The PDF worker: PDFium in a process of its own, one document per run (see
//! `bhxh_documents::pdf`).

fn main() -> std::process::ExitCode {
    bhxh_documents::pdf::worker::main()
}
