/* controller — reads the samples at a higher priority than the sensor (configs/demo.yaml). */

/*
 * Placeholder only: Keel cannot build or run user programs yet. The user library (startup code,
 * system calls) arrives with the kernel side of issue 3; until then nothing builds this file and
 * it does not do what the line above says. tools/sysgen.py only checks that it exists.
 */

int main(void)
{
	/* To do with the user library: sleep_until() the next period, read the newest entry of "samples". */
	return 0;
}
