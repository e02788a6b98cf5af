// runtime.h — runs one kernel launch on the CPU: every block in turn, each CUDA thread of a block a fiber.
#pragma once
#include <string>

#include "emulator_abi.h"

namespace qs_emu {

// The table a module binds to (EmuRuntime); one for the whole process.
const EmuRuntime* Runtime();

// Runs trampoline(params) for every thread of the grid. Launches are serialised. False (with `error`) when the
// launch cannot run (a block larger than 1024 threads) or its threads deadlock (a barrier that not every live
// thread of the block, or of a warp, reaches).
bool Launch(EmuTrampoline trampoline, void** params, EmuDim3 grid, EmuDim3 block, std::string& error);

}  // namespace qs_emu
