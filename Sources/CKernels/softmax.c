#include "CKernels.h"

#include <stdint.h>
#include <string.h>

// Keep a·b + c as two roundings on every instruction set, so results do not depend on
// whether the CPU has FMA.
#pragma clang fp contract(off)

#define INLINE static inline __attribute__((always_inline))
#define CLONED __attribute__((target_clones("avx512f", "avx2", "default")))

enum { LANES = 16 };

/// Cephes expf: n = round(x / ln 2) by the 1.5·2²³ trick, r = x − n·ln 2 in two parts, a
/// degree-6 polynomial, 2ⁿ built in the exponent bits. Inputs are clamped to [−87.3, 88.7],
/// the range of normal results.
INLINE float fast_exp(float input) {
    float x = input < -87.3365f ? -87.3365f : input;
    x = x > 88.7228f ? 88.7228f : x;
    const float magic = 12582912.0f;
    float shifted = x * 1.442695040888963f + magic;
    float n = shifted - magic;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float e = p * r * r + r + 1;
    int32_t shiftedBits, magicBits;
    memcpy(&shiftedBits, &shifted, sizeof shiftedBits);
    memcpy(&magicBits, &magic, sizeof magicBits);
    uint32_t exponent = (uint32_t)(shiftedBits - magicBits + 127) << 23;
    float twoToN;
    memcpy(&twoToN, &exponent, sizeof twoToN);
    return e * twoToN;
}

INLINE float row_max(const float *x, size_t n) {
    float lane[LANES];
    for (int k = 0; k < LANES; k++) lane[k] = -__builtin_inff();
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int k = 0; k < LANES; k++) lane[k] = x[i + k] > lane[k] ? x[i + k] : lane[k];
    float top = -__builtin_inff();
    for (int k = 0; k < LANES; k++) top = lane[k] > top ? lane[k] : top;
    for (; i < n; i++) top = x[i] > top ? x[i] : top;
    return top;
}

INLINE float row_sum(const float *x, size_t n) {
    float lane[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int k = 0; k < LANES; k++) lane[k] += x[i + k];
    float total = 0;
    for (int k = 0; k < LANES; k++) total += lane[k];
    for (; i < n; i++) total += x[i];
    return total;
}

INLINE float row_dot(const float *x, const float *y, size_t n) {
    float lane[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int k = 0; k < LANES; k++) lane[k] += x[i + k] * y[i + k];
    float total = 0;
    for (int k = 0; k < LANES; k++) total += lane[k];
    for (; i < n; i++) total += x[i] * y[i];
    return total;
}

CLONED void ncd_softmax_rows_f32(const float *x, float *y, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++) {
        const float *in = x + r * n;
        float *out = y + r * n;
        float top = row_max(in, n);
        for (size_t i = 0; i < n; i++) out[i] = fast_exp(in[i] - top);
        float scale = 1 / row_sum(out, n);
        for (size_t i = 0; i < n; i++) out[i] *= scale;
    }
}

CLONED void ncd_softmax_backward_rows_f32(const float *y, const float *dy, float *dx, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++) {
        const float *out = y + r * n, *grad = dy + r * n;
        float *result = dx + r * n;
        float dot = row_dot(grad, out, n);
        for (size_t i = 0; i < n; i++) result[i] = out[i] * (grad[i] - dot);
    }
}
