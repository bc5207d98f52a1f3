//! A reviewed snapshot of the full plan of the dev stack (preview). Any change to what the program
//! sends shows up as a diff to review: `cargo insta review` (or `INSTA_UPDATE=always` and read the
//! diff in git).

mod common;

#[test]
fn dev_plan_matches_the_reviewed_snapshot() {
    let plan = common::dev_plan();
    insta::assert_json_snapshot!("dev-plan", plan);
}
