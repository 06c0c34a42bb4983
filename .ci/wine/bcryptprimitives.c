/*
 * A stand-in bcryptprimitives.dll for running Go test binaries under Wine 8.
 *
 * Go 1.24 and later fill their random source at start with ProcessPrng from
 * bcryptprimitives.dll (Windows 10 and later). Debian's Wine 8.0 ships that
 * DLL without the export, so a Go binary dies before main. This DLL exports
 * ProcessPrng and answers it with RtlGenRandom (advapi32's SystemFunction036),
 * which Wine implements from the host's random source. Used only by CI
 * (.ci/windows.sh), never shipped.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll \
 *            bcryptprimitives.c bcryptprimitives.def -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* ProcessPrng fills data with len random bytes; it always returns TRUE on
 * Windows. RtlGenRandom takes a ULONG, so large requests go in pieces. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
