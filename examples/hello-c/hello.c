#include <stdio.h>

int main(void) {
    printf("Hello from a FROM-scratch multi-stage build by gantry!\n");
    return 0;
}
