//! Human output: the terminal's style, aligned tables, and views of records.

mod style;
mod table;
mod task;

pub use style::Style;
pub use task::{groups_table, notifications_table, record_view, result_text, tasks_table};
