/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /dev/wfp-ipsec misc device and its ioctl dispatcher.
 */
#ifndef _WFP_DEV_H
#define _WFP_DEV_H

int wfp_dev_init(void);
void wfp_dev_uninit(void);

#endif /* _WFP_DEV_H */
