/*
 * A stand-in for Windows' bcryptprimitives.dll, for running sesame.exe under Wine 8.0
 * in scripts/windows-check.sh only. It is never shipped: the release zip holds
 * sesame.exe alone, and Windows 10 and 11 have the real DLL.
 *
 * Why: Rust's standard library for Windows (since Rust 1.78) draws the random seeds of
 * its hash maps from ProcessPrng, which it imports from bcryptprimitives.dll. Windows
 * has exported ProcessPrng since Windows 10; Wine added it only after 8.0, the version
 * Debian 12 ships, so there any Rust executable stops before main with
 * "Library bcryptprimitives.dll ... not found" (status c0000135).
 *
 * ProcessPrng fills the buffer with cryptographically secure random bytes and always
 * succeeds on Windows. Here it is RtlGenRandom (exported by advapi32.dll as
 * SystemFunction036, present in every Wine), also a cryptographically secure
 * generator; it takes a ULONG length, so long buffers are filled in pieces.
 *
 * Build (scripts/windows-check.sh does it):
 *   x86_64-w64-mingw32-gcc -O2 -shared -s -o bcryptprimitives.dll bcryptprimitives.c \
 *       bcryptprimitives.def -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG piece = length > 0x40000000u ? 0x40000000u : (ULONG)length;
        if (!SystemFunction036(data, piece)) {
            return FALSE;
        }
        data += piece;
        length -= piece;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
