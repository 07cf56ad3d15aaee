/* run_main.c: pyhd-run's main (being written). */
int main(void) { return 0; }
