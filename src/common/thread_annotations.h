// Clang's thread-safety annotations (-Wthread-safety), under short names: what a member is
// guarded by, which lock a function needs or must not hold. Clang checks them at compile time
// (the clang build of scripts/test.sh, with -Werror); other compilers see nothing.
//
//   Mutex mu_;
//   int count_ GUARDED_BY(mu_) = 0;
//   void BumpLocked() REQUIRES(mu_);
//   void Bump() EXCLUDES(mu_);
//
// The annotations need a lock type that declares itself a capability: common/mutex.h.
#pragma once

#if defined(__clang__)
#define STATOR_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define STATOR_THREAD_ANNOTATION(x)
#endif

// A class that is a lock (a capability).
#define CAPABILITY(name) STATOR_THREAD_ANNOTATION(capability(name))
// An RAII class that holds a capability while it lives.
#define SCOPED_CAPABILITY STATOR_THREAD_ANNOTATION(scoped_lockable)
// A data member read and written only with the capability held.
#define GUARDED_BY(x) STATOR_THREAD_ANNOTATION(guarded_by(x))
// A pointer member whose pointee is read and written only with the capability held.
#define PT_GUARDED_BY(x) STATOR_THREAD_ANNOTATION(pt_guarded_by(x))
// Lock order: this capability is taken before / after the others.
#define ACQUIRED_BEFORE(...) STATOR_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) STATOR_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
// The caller must hold the capabilities (exclusively / shared).
#define REQUIRES(...) STATOR_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) STATOR_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// The function takes / gives up the capabilities (none named: `this`).
#define ACQUIRE(...) STATOR_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) STATOR_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) STATOR_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
// The caller must not hold the capabilities (the function takes them itself).
#define EXCLUDES(...) STATOR_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// The function checks at run time that the capability is held.
#define ASSERT_CAPABILITY(x) STATOR_THREAD_ANNOTATION(assert_capability(x))
// The function returns a reference to the capability.
#define RETURN_CAPABILITY(x) STATOR_THREAD_ANNOTATION(lock_returned(x))
// Turns the analysis off for one function; say why beside each use.
#define NO_THREAD_SAFETY_ANALYSIS STATOR_THREAD_ANNOTATION(no_thread_safety_analysis)
