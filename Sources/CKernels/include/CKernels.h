// Float32 kernels whose speed depends on vector width. Swift cannot compile one function for
// several instruction sets, so these are C, built once per set (AVX-512, AVX2, baseline)
// and picked for the running CPU when the library loads.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>

/// Softmax of each of `rows` contiguous rows of `n` floats: y = exp(x − max) / Σ exp(x − max).
/// The exponential is Cephes' expf as plain arithmetic (relative error about 1e-7); sums and
/// maxima fold in sixteen fixed lanes, so every instruction set gives the same bits.
void ncd_softmax_rows_f32(const float *x, float *y, size_t rows, size_t n);

/// Softmax's backward along the same rows: dx = y ⊙ (dy − ⟨dy, y⟩), the dot product per row
/// folded in sixteen fixed lanes.
void ncd_softmax_backward_rows_f32(const float *y, const float *dy, float *dx, size_t rows, size_t n);

/// Tells the core that this thread is spinning on a flag (x86 `pause`, Arm `yield`). It
/// frees the core's execution units for a thread sharing the core (SMT, which a VM's two
/// vCPUs can be at times) and eases the memory traffic of the loop; on this machine it
/// takes about 25 ns.
static inline void ncd_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
