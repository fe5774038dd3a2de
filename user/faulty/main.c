/* faulty — faults on purpose so that the supervisor restarts it (configs/demo.yaml). */

/*
 * Placeholder only: Keel cannot build or run user programs yet. The user library (startup code,
 * system calls) arrives with the kernel side of issue 3; until then nothing builds this file and
 * it does not do what the line above says. tools/sysgen.py only checks that it exists.
 */

int main(void)
{
	/* To do with the user library: touch an unmapped address to raise a fault, after a counter in its data. */
	return 0;
}
