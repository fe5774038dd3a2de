/* supervisor — the fault handler that restarts the program "faulty" (configs/demo.yaml). */

/*
 * Placeholder only: Keel cannot build or run user programs yet. The user library (startup code,
 * system calls) arrives with the kernel side of issue 3; until then nothing builds this file and
 * it does not do what the line above says. tools/sysgen.py only checks that it exists.
 */

int fault_main(void);

int fault_main(void)
{
	/* To do with the user library: restart thread "faulty" when its fault message arrives. */
	return 0;
}
