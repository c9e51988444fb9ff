/*
 * test_window_cli.c - window operations end to end: the binary replays a
 * shipped config's window ops and the report counts what the window API did
 * (the unit behaviour is in test_window.c). A file of its own because
 * run_bin.h uses Criterion's classic cr_assert, which test_window.c's
 * <criterion/new/assert.h> redefines.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "csv_check.h"
#include "run_bin.h"

/*
 * End to end: tests/golden/phb4-group-rollback.yaml (two groups, the second
 * taking 4K, 64K, 16M and 256M, not 2M) replays a 2M wcreate, then a 64K one, on device 0.
 * VFIO charges one locked_vm (account_locked_vm of pnv_pci_ioda2_get_table_size
 * >> PAGE_SHIFT 16, domain.md §2.5):
 *   the default window, 256G of 64K in 2 levels: 1026 pages (test_cli);
 *   the 2M window, 1G in 1 level: 512 entries x 8 = 4K, a level is at least
 *     PAGE_SIZE 64K, x2 = 2 pages, charged then given back by the rollback;
 *   the 64K window, 1G in 1 level: 2^14 x 8 = 128K, x2 = 4 pages.
 * host.memlock = (1026 + 4) x 64K = 67502080 holds the 64K window only if the
 * failed one gave its 2 pages back; one page less refuses it (ENOMEM).
 */
Test(window, replayed_group_failure_is_counted_and_leaves_no_window_or_charge, .timeout = 60)
{
	struct run_result r = run_bin("--config tests/golden/phb4-group-rollback.yaml --format csv --set host.memlock=67502080");

	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_expect_eq(run_csv_u64(r.out, "window_ops.errors.EPERM"), 1);
	cr_expect_eq(run_csv_u64(r.out, "window_ops.created"), 1);	/* the 64K one, in slot 1 */
	cr_expect_eq(run_csv_u64(r.out, "window_ops.errors.ENOSPC"), 0);
	cr_expect_eq(run_csv_u64(r.out, "window_ops.errors.ENOMEM"), 0);
	run_free(&r);
	r = run_bin("--config tests/golden/phb4-group-rollback.yaml --format csv --set host.memlock=67436544");
	cr_assert_eq(r.code, 0, "%s", r.err);
	cr_expect_eq(run_csv_u64(r.out, "window_ops.errors.EPERM"), 1);
	cr_expect_eq(run_csv_u64(r.out, "window_ops.errors.ENOMEM"), 1);
	cr_expect_eq(run_csv_u64(r.out, "window_ops.created"), 0);
	run_free(&r);
}
