// The recurrent layers and cells in one place: RNN, LSTM, GRU and their cells.

export { RNNBase, RNNCellBase, type CellOptions, type DirectionWeights, type RecurrentOptions, type StepFunction } from "./rnn-base.ts";
export { RNN, RNNCell, rnnStep, type RNNCellOptions, type RNNNonlinearity, type RNNOptions } from "./rnn.ts";
export { LSTM, LSTMCell, lstmStep, type LSTMOptions, type LSTMState } from "./lstm.ts";
export { GRU, GRUCell, gruStep } from "./gru.ts";
