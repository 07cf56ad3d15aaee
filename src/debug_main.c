/* debug_main.c: pyhd-debug's main (being written). */
int main(void) { return 0; }
