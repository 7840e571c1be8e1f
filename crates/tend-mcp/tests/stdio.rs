//! `tend mcp` over stdio, driven by the MCP Python SDK: one test per scenario of
//! `mcp_client.py`.

use crate::support::{Home, scenario};

fn run(name: &str) {
    scenario(name, &Home::new(), &[]);
}

#[test]
fn the_tool_list_has_six_tools_with_strict_schemas() {
    run("tools");
}

#[test]
fn a_fast_command_is_answered_inline_with_exit_code_and_output() {
    run("inline");
}

#[test]
fn a_slow_command_yields_an_id_then_bg_wait_and_bg_output_give_the_result() {
    run("yield");
}

#[test]
fn reading_on_from_a_cursor_gives_every_byte_once() {
    run("cursor");
}

#[test]
fn tail_lines_and_grep_answer_the_end_and_the_matching_lines() {
    run("tail_grep");
}

#[test]
fn bg_stop_of_a_process_tree_leaves_no_process() {
    run("stop");
}

#[test]
fn bg_input_writes_to_the_task() {
    run("input");
}

#[test]
fn a_repl_in_a_terminal_is_driven_with_keys_and_read_from_its_screen() {
    run("tty");
}

#[test]
fn unknown_ids_bad_regexes_and_bad_arguments_are_tool_errors_with_codes() {
    run("errors");
}

#[test]
fn a_notification_appears_in_exactly_one_later_answer() {
    run("notify");
}

#[test]
fn closing_the_client_cancels_its_tasks_but_keeps_detached_ones() {
    run("close");
}

#[test]
fn sessions_see_only_their_own_tasks_unless_all_sessions() {
    run("sessions");
}

#[test]
fn a_50_mb_output_is_read_in_pieces_never_above_max_bytes() {
    run("big");
}

#[test]
fn more_output_than_max_bytes_shows_head_marker_and_tail_ending_with_the_last_line() {
    run("head_tail");
}

#[test]
fn text_has_no_escape_sequences_and_folds_repeated_lines_while_the_json_stays_exact() {
    run("model_text");
}

#[test]
fn ends_the_answer_reports_are_not_echoed_and_all_finished_needs_two_tasks() {
    run("echoes");
}

#[test]
fn grep_with_context_answers_the_traceback_around_a_failure() {
    run("context");
}

#[test]
fn bg_run_sees_the_environment_of_tend_mcp() {
    run("environment");
}
