/* SSE/SSE2 packed arithmetic, compares, shuffles and conversions (also
 * under every MXCSR rounding mode), loops
 * the compiler vectorises, and, when built with -mssse3, MMX and SSSE3
 * intrinsics (lifter/sse*.c, lifter/mmx.c).  Results are printed as bits
 * and compared with qemu-i386 by run_guest.sh.
 *
 * Built twice: -O3 -march=pentium4 -msse2 -mfpmath=sse -ftree-vectorize,
 * and the same with -mssse3. */
#include <emmintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <xmmintrin.h>
#ifdef __SSSE3__
#include <mmintrin.h>
#include <pmmintrin.h>
#include <tmmintrin.h>
#endif

static volatile float vf[] = {
    0.0f, -0.0f, 1.0f, -1.5f, 0.1f, 2.5f, -2.5f, 3.5f, 1e-40f, -1e-45f,
    3.4e38f, -3.4e38f, 16777217.0f, 2147483648.0f, -2147483648.0f, 0.5f,
};
static volatile double vd[] = {
    0.0, -0.0, 1.0, -1.5, 0.1, 2.5, -2.5, 3.5, 4.9e-324, 1e300,
    -1e300, 2147483647.5, -2147483648.5, 1e10, 0.5, -0.5,
};
#define NF (sizeof(vf) / sizeof(vf[0]))

static void pr128(const char *what, __m128i v)
{
    uint32_t u[4];
    memcpy(u, &v, 16);
    printf("%s %08x %08x %08x %08x\n", what, u[0], u[1], u[2], u[3]);
}
#define PRPS(w, v) pr128(w, _mm_castps_si128(v))
#define PRPD(w, v) pr128(w, _mm_castpd_si128(v))

static float fa[1024], fb[1024], fc[1024];
static double da[512], db[512];
static int32_t ia[1024], ib[1024];
static int16_t sa[1024], sb[1024];
static uint8_t ua[1024], ub[1024];

static void packed_float(void)
{
    float nan = __builtin_nanf("");
    for (unsigned i = 0; i + 4 <= NF; i += 2) {
        __m128 a = _mm_setr_ps(vf[i], vf[i + 1], vf[i + 2], vf[i + 3]);
        __m128 b = _mm_setr_ps(vf[(i + 5) % NF], nan, vf[(i + 7) % NF],
                               vf[i + 1]);
        PRPS("add", _mm_add_ps(a, b));
        PRPS("sub", _mm_sub_ps(a, b));
        PRPS("mul", _mm_mul_ps(a, b));
        PRPS("div", _mm_div_ps(a, b));
        PRPS("min", _mm_min_ps(a, b));
        PRPS("max", _mm_max_ps(b, a));
        PRPS("sqrt", _mm_sqrt_ps(a));
        PRPS("cmplt", _mm_cmplt_ps(a, b));
        PRPS("cmpnle", _mm_cmpnle_ps(a, b));
        PRPS("cmpunord", _mm_cmpunord_ps(a, b));
        PRPS("shuf", _mm_shuffle_ps(a, b, 0x9c));
        PRPS("unpckhps", _mm_unpackhi_ps(a, b));
        PRPS("andnot", _mm_andnot_ps(a, b));
        PRPS("movehl", _mm_movehl_ps(a, b));
        printf("movmsk %d %d\n", _mm_movemask_ps(a), _mm_movemask_ps(b));
        PRPD("cvtps2pd", _mm_cvtps_pd(a));
        pr128("cvttps2dq", _mm_cvttps_epi32(a));
        PRPS("add_ss", _mm_add_ss(a, b));
        PRPS("cmple_ss", _mm_cmple_ss(a, b));
    }
    for (unsigned i = 0; i + 2 <= NF; i++) {
        __m128d a = _mm_setr_pd(vd[i], vd[i + 1]);
        __m128d b = _mm_setr_pd(vd[(i + 3) % NF], vd[(i + 9) % NF]);
        PRPD("addpd", _mm_add_pd(a, b));
        PRPD("divpd", _mm_div_pd(a, b));
        PRPD("minpd", _mm_min_pd(a, b));
        PRPD("maxpd", _mm_max_pd(a, b));
        PRPD("sqrtpd", _mm_sqrt_pd(a));
        PRPD("cmpneq", _mm_cmpneq_pd(a, b));
        PRPD("shufpd", _mm_shuffle_pd(a, b, 1));
        PRPS("cvtpd2ps", _mm_cvtpd_ps(a));
        pr128("cvttpd2dq", _mm_cvttpd_epi32(a));
        printf("movmskpd %d\n", _mm_movemask_pd(a));
    }
}

/* Conversions and arithmetic under each MXCSR rounding mode. */
static void rounding(void)
{
    unsigned saved = _mm_getcsr();
    for (unsigned rc = 0; rc < 4; rc++) {
        _mm_setcsr((saved & ~0x6000u) | rc << 13);
        for (unsigned i = 0; i + 4 <= NF; i += 4) {
            __m128 a = _mm_setr_ps(vf[i], vf[i + 1], vf[i + 2], vf[i + 3]);
            __m128d d = _mm_setr_pd(vd[i], vd[i + 1]);
            pr128("cvtps2dq", _mm_cvtps_epi32(a));
            pr128("cvtpd2dq", _mm_cvtpd_epi32(d));
            printf("cvtss2si %d cvtsd2si %d\n", _mm_cvtss_si32(a),
                   _mm_cvtsd_si32(d));
            __m128 b = _mm_setr_ps(3.0f, vf[i + 2], 7.0f, 1e-30f);
            PRPS("rc addps", _mm_add_ps(a, b));
            PRPS("rc divps", _mm_div_ps(a, b));
            PRPS("rc sqrtps", _mm_sqrt_ps(b));
            PRPD("rc mulpd", _mm_mul_pd(d, _mm_setr_pd(0.1, 1.0 / 3.0)));
            PRPS("rc cvtdq2ps",
                 _mm_cvtepi32_ps(_mm_setr_epi32(16777217, -16777219,
                                                0x7fffffc1, (int)i)));
            PRPS("rc cvtpd2ps", _mm_cvtpd_ps(d));
        }
        printf("mxcsr %08x\n", _mm_getcsr() & ~0x3fu);
    }
    _mm_setcsr(saved);
}

static void packed_int(void)
{
    for (unsigned i = 0; i < 64; i += 16) {
        __m128i a = _mm_setr_epi32(0x7fff8000 + i, -1 - (int)i, 0x01fe80ff,
                                   (int)(0x12345678u * i));
        __m128i b = _mm_setr_epi32(0x80017fff, 0x00010001 * (int)i,
                                   (int)0xff7f0180u, 0x7f807f80);
        pr128("adds_epi16", _mm_adds_epi16(a, b));
        pr128("subs_epu8", _mm_subs_epu8(a, b));
        pr128("mulhi_epi16", _mm_mulhi_epi16(a, b));
        pr128("mulhi_epu16", _mm_mulhi_epu16(a, b));
        pr128("mul_epu32", _mm_mul_epu32(a, b));
        pr128("madd_epi16", _mm_madd_epi16(a, b));
        pr128("avg_epu8", _mm_avg_epu8(a, b));
        pr128("sad_epu8", _mm_sad_epu8(a, b));
        pr128("min_epu8", _mm_min_epu8(a, b));
        pr128("max_epi16", _mm_max_epi16(a, b));
        pr128("cmpgt_epi8", _mm_cmpgt_epi8(a, b));
        pr128("shufflelo", _mm_shufflelo_epi16(a, 0x1b));
        pr128("shufflehi", _mm_shufflehi_epi16(b, 0x4e));
        pr128("insert", _mm_insert_epi16(a, (int)i * 77, 5));
        printf("extract %d movemask %d\n", _mm_extract_epi16(b, 3),
               _mm_movemask_epi8(a));
        pr128("packs", _mm_packs_epi32(a, b));
        pr128("cvtdq2ps", _mm_castps_si128(_mm_cvtepi32_ps(a)));
        pr128("cvtdq2pd", _mm_castpd_si128(_mm_cvtepi32_pd(b)));
        char out[16] = {0};
        _mm_maskmoveu_si128(a, b, out);
        pr128("maskmov", _mm_loadu_si128((const __m128i *)out));
    }
}

/* Loops gcc vectorises at -O3 (packed float, double and integer code). */
static void loops(void)
{
    for (unsigned i = 0; i < 1024; i++) {
        fa[i] = (float)i * 0.37f - 100.0f;
        fb[i] = (float)(i % 17) + 0.25f;
        ia[i] = (int32_t)(i * 2654435761u);
        ib[i] = (int32_t)i - 500;
        sa[i] = (int16_t)(i * 181);
        sb[i] = (int16_t)(i * -77);
        ua[i] = (uint8_t)(i * 13);
        ub[i] = (uint8_t)(i * 7 + 3);
    }
    for (unsigned i = 0; i < 512; i++) {
        da[i] = (double)i / 3.0 - 50.0;
        db[i] = sqrt((double)i);
    }
    float fs = 0, fm = -1e30f;
    for (unsigned i = 0; i < 1024; i++) {
        fc[i] = fa[i] * fb[i] + fa[i] / fb[i];
        fs += fc[i];
        fm = fm > fc[i] ? fm : fc[i];
    }
    double ds = 0;
    for (unsigned i = 0; i < 512; i++)
        ds += da[i] * db[i] - fabs(da[i]);
    int64_t is = 0;
    int32_t imax = INT32_MIN;
    for (unsigned i = 0; i < 1024; i++) {
        int32_t v = ia[i] * ib[i] + (ia[i] >> 3);
        is += v;
        imax = imax > v ? imax : v;
        sa[i] = (int16_t)(sa[i] * sb[i]);
        ua[i] = ua[i] > ub[i] ? ua[i] - ub[i] : 0;
    }
    int32_t ssum = 0, usum = 0;
    for (unsigned i = 0; i < 1024; i++) {
        ssum += sa[i];
        usum += ua[i];
        ia[i] = (int32_t)fc[i];
    }
    int64_t csum = 0;
    for (unsigned i = 0; i < 1024; i++)
        csum += ia[i];
    uint32_t fsb, fmb;
    uint64_t dsb;
    memcpy(&fsb, &fs, 4);
    memcpy(&fmb, &fm, 4);
    memcpy(&dsb, &ds, 8);
    printf("loops %08x %08x %016llx %lld %d %d %d %lld\n", fsb, fmb,
           (unsigned long long)dsb, (long long)is, imax, ssum, usum,
           (long long)csum);
}

#ifdef __SSSE3__
static void pr64(const char *what, __m64 v)
{
    uint32_t u[2];
    memcpy(u, &v, 8);
    printf("%s %08x %08x\n", what, u[0], u[1]);
}

static void mmx_ssse3(void)
{
    for (unsigned i = 0; i < 4; i++) {
        __m64 a = _mm_set_pi32(0x7fff8001 + (int)i, (int)(0xff017f80u - i));
        __m64 b = _mm_set_pi32((int)(0x80007fffu * i), 0x01ff80fe);
        __m64 r[12] = {
            _mm_adds_pi16(a, b), _mm_subs_pu8(a, b), _mm_mulhi_pi16(a, b),
            _mm_madd_pi16(a, b), _mm_packs_pi16(a, b),
            _mm_unpackhi_pi8(a, b), _mm_sll_pi16(a, _mm_cvtsi32_si64(3)),
            _mm_srai_pi32(b, 7), _mm_cmpgt_pi16(a, b), _mm_avg_pu8(a, b),
            _mm_shuffle_pi16(a, 0x39), _mm_sad_pu8(a, b)};
        for (unsigned k = 0; k < 12; k++)
            pr64("mmx", r[k]);
        printf("mmx movemask %d extract %d\n", _mm_movemask_pi8(a),
               _mm_extract_pi16(b, 2));
        __m64 s[6] = {_mm_shuffle_pi8(a, b), _mm_hadd_pi16(a, b),
                      _mm_maddubs_pi16(a, b), _mm_mulhrs_pi16(a, b),
                      _mm_sign_pi8(a, b), _mm_alignr_pi8(a, b, 3)};
        for (unsigned k = 0; k < 6; k++)
            pr64("ssse3 mm", s[k]);
        __m128 f = _mm_cvtpi32_ps(_mm_setr_ps(1, 2, 3, 4), a);
        PRPS("cvtpi2ps", f);
        pr64("cvtps2pi", _mm_cvtps_pi32(_mm_setr_ps(2.5f, -3.5f, 0, 0)));
        _mm_empty();
        __m128i x = _mm_setr_epi32((int)(0x80ff7f01u + i), 0x0102f3f4,
                                   -5 * (int)i, 0x7fff8000);
        __m128i y = _mm_setr_epi32(0x0f0e8d0c, (int)(0x07060504u + i),
                                   0x0b0a0908, (int)0x83820100u);
        pr128("pshufb", _mm_shuffle_epi8(x, y));
        pr128("phaddsw", _mm_hadds_epi16(x, y));
        pr128("phsubd", _mm_hsub_epi32(x, y));
        pr128("pabsw", _mm_abs_epi16(x));
        pr128("psignd", _mm_sign_epi32(y, x));
        pr128("palignr", _mm_alignr_epi8(x, y, 7));
        __m128 p = _mm_setr_ps(vf[i], vf[i + 4], vf[i + 8], vf[i + 3]);
        PRPS("haddps", _mm_hadd_ps(p, p));
        PRPS("addsubps", _mm_addsub_ps(p, _mm_set1_ps(0.5f)));
        PRPS("movshdup", _mm_movehdup_ps(p));
        PRPD("movddup", _mm_movedup_pd(_mm_setr_pd(vd[i], 1)));
    }
}
#endif

int main(void)
{
    packed_float();
    rounding();
    packed_int();
    loops();
#ifdef __SSSE3__
    mmx_ssse3();
#endif
    return 0;
}
