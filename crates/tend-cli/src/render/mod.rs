//! Human output: the terminal's style, aligned tables, and views of records.

mod style;
mod table;
mod task;

pub use style::Style;
pub use task::{groups_table, notification_line, record_view, result_text, tasks_table};
