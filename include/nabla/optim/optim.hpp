// Every optimizer, schedule and regulariser (namespace nabla::optim).
#pragma once
#pragma GCC visibility push(default)

#include "nabla/optim/adadelta.hpp"
#include "nabla/optim/adagrad.hpp"
#include "nabla/optim/adam.hpp"
#include "nabla/optim/grad_scaler.hpp"
#include "nabla/optim/lbfgs.hpp"
#include "nabla/optim/optimizer.hpp"
#include "nabla/optim/regularization.hpp"
#include "nabla/optim/rmsprop.hpp"
#include "nabla/optim/schedule.hpp"
#include "nabla/optim/sgd.hpp"

#pragma GCC visibility pop
