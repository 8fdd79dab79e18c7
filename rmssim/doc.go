// Package rmssim is a simulated LSports DEFEND RMS-Socket endpoint: a real
// Socket.IO v4 / Engine.IO v4 server whose behaviour is chosen by the
// customer ID, so every failure a customer can meet is reproducible on
// loopback without access to LSports.
//
// The reserved IDs are listed in [Reserved], the whole table in [Outcomes];
// every other all-digit ID is a healthy customer that receives bet events
// after it emits join.
package rmssim
