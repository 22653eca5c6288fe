import{C as e,S as t,T as n,_ as r,a as i,b as a,c as o,d as s,g as c,i as l,l as u,m as d,n as f,o as p,p as m,r as h,s as g,t as _,u as v,v as y,w as b,x,y as S}from"./index-DxqffoRM.js";import{t as C}from"./studio-CNGYIY3p.js";var w=class extends Error{constructor(e,t){super(`WHIP ${e} ${t}`),this.status=e,this.code=t}};function T(e,t){return e.iceGatheringState===`complete`?Promise.resolve():new Promise(n=>{let r=()=>{e.removeEventListener(`icegatheringstatechange`,i),clearTimeout(a),n()},i=()=>e.iceGatheringState===`complete`&&r(),a=setTimeout(r,t);e.addEventListener(`icegatheringstatechange`,i)})}function E(e){let t=RTCRtpSender.getCapabilities?.(`video`);if(!t||typeof e.setCodecPreferences!=`function`)return;let n=e=>{let t=e.mimeType.toLowerCase();return t===`video/h264`?+!e.sdpFmtpLine?.includes(`profile-level-id=42e0`):t===`video/vp8`?2:t===`video/rtx`||t===`video/red`||t===`video/ulpfec`?3:9},r=t.codecs.filter(e=>n(e)<9).sort((e,t)=>n(e)-n(t));r.some(e=>n(e)<3)&&e.setCodecPreferences(r)}async function D(e,t,n,r,i){let a=new RTCPeerConnection({iceServers:r,bundlePolicy:`max-bundle`}),o=n.getVideoTracks()[0],s=n.getAudioTracks()[0],c=a.addTransceiver(o??`video`,{direction:`sendonly`,streams:[n]});E(c);let l=a.addTransceiver(s??`audio`,{direction:`sendonly`,streams:[n]}),u=!1,d=null,f=``;a.onconnectionstatechange=()=>{if(!u)switch(a.connectionState){case`connected`:i(`live`),a.getStats().then(e=>e.forEach(e=>{e.type===`codec`&&e.mimeType?.toLowerCase().startsWith(`video/`)&&!f&&(f=e.mimeType.slice(6).toUpperCase())}));break;case`disconnected`:i(`reconnecting`);break;case`failed`:case`closed`:i(`stopped`)}},i(`connecting`);try{await a.setLocalDescription(await a.createOffer()),await T(a,2e3);let n=await fetch(e,{method:`POST`,headers:{"Content-Type":`application/sdp`,Authorization:`Bearer ${t}`},body:a.localDescription?.sdp??``});if(n.status!==201&&n.status!==200){let e=await n.json().catch(()=>null);throw new w(n.status,e?.error?.code??`http_${n.status}`)}let r=n.headers.get(`Location`);d=r?new URL(r,e).href:null,await a.setRemoteDescription({type:`answer`,sdp:await n.text()})}catch(e){throw u=!0,a.close(),i(`stopped`),e}return{get videoCodec(){return f},async replace(e){await c.sender.replaceTrack(e.getVideoTracks()[0]??null),await l.sender.replaceTrack(e.getAudioTracks()[0]??null)},async stop(){u||(u=!0,i(`stopped`),d&&await fetch(d,{method:`DELETE`,headers:{Authorization:`Bearer ${t}`}}).catch(()=>void 0),a.close())}}}s(C);var O=e=>`hawker.streamkey.${e}`,k=[0,5,10,30,60,120],A=[30,60,120,300,600,1200],j=5e3,M=15e3,N=800,P=20;function F(e,t){let n=e.replace(/[\s\u00a0\u202f']/g,``);if(!/^\d[\d.,]*$/.test(n))return null;let r=n,i=``,a=/^(.*)[.,](\d+)$/.exec(n);a&&t>0&&a[2].length<=t&&(r=a[1],i=a[2]);let o=r.replace(/[.,]/g,``);if(!o)return null;let s=Number(o)*10**t+Number(i.padEnd(t,`0`)||`0`);return Number.isSafeInteger(s)&&s>0?s:null}function I(e){let t=Math.max(0,Math.ceil(e/1e3)),n=Math.floor(t/3600),r=String(Math.floor(t%3600/60)),i=String(t%60).padStart(2,`0`);return n?`${n}:${r.padStart(2,`0`)}:${i}`:`${r}:${i}`}function L(e,t){let n=Object.values(t.options??{}).join(` / `);return`${i(e,u.lang)}${n?` — ${n}`:``} (${t.code})`}var R=class extends x{static{this.styles=[p,n`
      :host { display: block; padding: 1rem; max-width: 1500px; margin: 0 auto; color: var(--hk-text, #18181b); }
      h1 { font-size: 1.4rem; margin: 0; }
      h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
      h3 { font-size: .95rem; margin: .8rem 0 .4rem; }
      .head { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin-bottom: 1rem; }
      .head .spacer { flex: 1; }
      .badge { border-radius: 999px; padding: .15rem .65rem; font-size: .85rem; font-weight: 700; background: #e4e4e7; color: #18181b; }
      .badge.live { background: var(--hk-live, #b91c1c); color: #fff; }
      .badge.rehearsal { background: #1d4ed8; color: #fff; }
      .badge.ended { background: #3f3f46; color: #fff; }
      .grid { display: grid; gap: 1rem; grid-template-columns: 1fr; }
      @media (min-width: 760px) { .grid { grid-template-columns: 1fr 1fr; } }
      @media (min-width: 1180px) { .grid { grid-template-columns: 1.05fr 1fr .95fr; } }
      .col { display: flex; flex-direction: column; gap: 1rem; min-width: 0; }
      section { background: var(--hk-surface, #fff); border-radius: var(--hk-radius, .75rem); padding: 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); min-width: 0; }
      .preview { position: relative; aspect-ratio: 9 / 16; max-height: 62vh; margin: 0 auto .75rem; background: #111; border-radius: .6rem; overflow: hidden; }
      .preview video { width: 100%; height: 100%; object-fit: cover; display: block; }
      .preview .off { position: absolute; inset: 0; display: grid; place-items: center; color: #fff; text-align: center; padding: 1rem; }
      .onair { position: absolute; top: .5rem; left: .5rem; background: var(--hk-live, #b91c1c); color: #fff; font-weight: 700; border-radius: .4rem; padding: .1rem .5rem; font-size: .85rem; }
      .row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
      .row > label { flex: 1 1 12rem; }
      label { display: flex; flex-direction: column; gap: .2rem; font-size: .9rem; font-weight: 600; }
      label.inline { flex-direction: row; align-items: center; gap: .4rem; font-weight: 400; }
      select, input, textarea { min-height: 40px; border: 1px solid #a1a1aa; border-radius: .5rem; padding: .35rem .5rem; background: #fff; color: #18181b; font-weight: 400; }
      textarea { min-height: 4.5rem; resize: vertical; }
      .btn.small { min-height: 36px; padding: .25rem .75rem; font-size: .9rem; }
      .btn.danger { background: #b91c1c; }
      .btn.danger:hover { background: #7f1d1d; }
      .icon { min-width: 36px; min-height: 36px; border-radius: .5rem; border: 1px solid #a1a1aa; background: #fff; color: #18181b; cursor: pointer; }
      .icon[disabled] { opacity: .4; cursor: default; }
      .status { font-size: .9rem; margin: .5rem 0 0; }
      .warn { background: #fef3c7; color: #78350f; border-radius: .5rem; padding: .6rem .75rem; margin: .6rem 0; }
      .warn p { margin: 0 0 .5rem; }
      .alert { background: #fee2e2; color: #7f1d1d; border-radius: .5rem; padding: .5rem .75rem; margin: .5rem 0; }
      .ok { color: #166534; }
      .secret { display: grid; grid-template-columns: 1fr auto; gap: .4rem; align-items: end; margin-top: .5rem; }
      .secret output { font-family: ui-monospace, monospace; background: #f4f4f5; border-radius: .4rem; padding: .45rem .5rem; overflow-wrap: anywhere; font-size: .85rem; }
      ol.bag, ul.chat, ul.muted { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: .4rem; }
      ol.bag li { display: grid; grid-template-columns: 48px 1fr auto; gap: .5rem; align-items: center; padding: .35rem; border-radius: .5rem; border: 1px solid #e4e4e7; }
      ol.bag li.pinned { border-color: var(--hk-accent, #c2410c); box-shadow: inset 0 0 0 1px var(--hk-accent, #c2410c); }
      ol.bag img { width: 48px; height: 48px; object-fit: cover; border-radius: .35rem; background: #e4e4e7; }
      .ptitle { font-weight: 600; overflow-wrap: anywhere; }
      .tools { display: flex; gap: .25rem; flex-wrap: wrap; justify-content: flex-end; }
      .deal { border: 2px solid var(--hk-accent, #c2410c); border-radius: .6rem; padding: .6rem .75rem; margin-bottom: .75rem; }
      .countdown { font-size: 1.6rem; font-weight: 800; font-variant-numeric: tabular-nums; }
      .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(6.5rem, 1fr)); gap: .5rem; }
      .stat { background: #f4f4f5; border-radius: .5rem; padding: .5rem .6rem; }
      .stat .n { display: block; font-size: 1.35rem; font-weight: 800; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
      .stat .l { font-size: .8rem; color: var(--hk-muted, #52525b); }
      ul.orders { list-style: none; margin: 0; padding: 0; max-height: 16rem; overflow-y: auto; }
      ul.orders li { display: flex; flex-wrap: wrap; gap: .25rem .5rem; align-items: baseline; padding: .3rem 0; border-bottom: 1px solid #e4e4e7; }
      ul.orders .what { flex: 1 1 10rem; overflow-wrap: anywhere; }
      ul.orders .total { font-variant-numeric: tabular-nums; font-weight: 600; }
      svg.chart { width: 100%; height: 90px; display: block; margin-top: .6rem; background: #fafafa; border-radius: .4rem; }
      .chart-legend { display: flex; justify-content: space-between; font-size: .75rem; color: var(--hk-muted, #52525b); }
      ul.chat { max-height: 22rem; overflow-y: auto; }
      ul.chat li { display: grid; grid-template-columns: 1fr auto; gap: .4rem; align-items: start; padding: .3rem .4rem; border-radius: .4rem; background: #f4f4f5; }
      ul.chat .who { font-weight: 700; margin-right: .35rem; color: #9a3412; }
      ul.chat .text { overflow-wrap: anywhere; }
      ul.muted li { display: flex; justify-content: space-between; align-items: center; gap: .5rem; }
      ul.muted li span { min-width: 0; overflow-wrap: anywhere; }
      @media (max-width: 520px) {
        ol.bag li { grid-template-columns: 48px 1fr; }
        ol.bag .tools { grid-column: 1 / -1; justify-content: flex-start; }
      }
      form.send { display: flex; gap: .4rem; margin-top: .5rem; }
      form.send input { flex: 1; min-width: 0; }
      .center { max-width: 36rem; margin: 3rem auto; text-align: center; }
    `]}static{this.properties={showId:{attribute:!1},access:{state:!0},show:{state:!0},bag:{state:!0},shopProducts:{state:!0},deal:{state:!0},chat:{state:!0},muted:{state:!0},moderation:{state:!0},viewers:{state:!0},samples:{state:!0},likes:{state:!0},sales:{state:!0},orders:{state:!0},stream:{state:!0},devices:{state:!0},cameraId:{state:!0},micId:{state:!0},camError:{state:!0},pub:{state:!0},confirmKey:{state:!0},confirmEnd:{state:!0},obs:{state:!0},busy:{state:!0},msg:{state:!0},now:{state:!0},realtime:{state:!0}}}get market(){return u.markets.find(e=>e.code===this.show?.markets[0])??null}constructor(){super(),this.st=new g(this),this.conn=null,this.publisher=null,this.media=null,this.whipURL=``,this.names=new Map,this.timers=[],this.closed=!1,this.loadedFor=``,this.showId=``,this.access=`loading`,this.show=null,this.bag=[],this.shopProducts=[],this.deal=null,this.chat=[],this.muted=[],this.moderation=null,this.viewers=0,this.samples=[],this.likes=0,this.sales=null,this.orders=[],this.stream=null,this.devices=[],this.cameraId=``,this.micId=``,this.camError=``,this.pub=`stopped`,this.confirmKey=null,this.confirmEnd=!1,this.obs=null,this.busy=``,this.msg={},this.now=0,this.realtime=null}connectedCallback(){super.connectedCallback(),this.closed=!1,this.loadedFor&&this.load()}disconnectedCallback(){super.disconnectedCallback(),this.closed=!0,this.teardown();for(let e of this.stream?.getTracks()??[])e.stop();this.stream=null}teardown(){for(let e of this.timers)clearInterval(e);this.timers=[],clearTimeout(this.salesTimer),this.conn?.close(),this.conn=null,this.publisher?.stop(),this.publisher=null}willUpdate(e){e.has(`showId`)&&this.showId&&this.showId!==this.loadedFor&&this.load()}say(e,t,n){this.msg={...this.msg,[e]:[t,n]}}fail(e,t){let n=v(`studio.err.generic`);t instanceof c?t.status===401?n=v(`studio.err.session`):t.status===403?n=v(`studio.err.forbidden`):t.code===`invalid_state`?n=v(`studio.err.state`):t.status===422||t.status===409?n=t.message:t.status===429&&(n=v(`studio.err.busy`)):t instanceof TypeError&&(n=v(`studio.err.network`)),this.say(e,`error`,n)}async load(){if(!this.showId)return;this.loadedFor=this.showId,this.teardown(),this.access=`loading`;let e,t;try{[e,t]=await Promise.all([r(`/api/v1/me`),r(h(this.showId)).then(e=>e.show)])}catch(e){this.access=e instanceof c&&e.status===401?`login`:e instanceof c&&e.status===404?`missing`:`error`;return}await u.loadMarkets().catch(()=>void 0),e.csrf_token&&a(e.csrf_token),o.sync(t.now),!e.user||!await this.mayRun(e,t)?this.access=`forbidden`:(this.show=t,this.viewers=t.viewer_count,this.access=`ok`,this.sample(),this.timers.push(setInterval(()=>this.sample(),j)),this.timers.push(setInterval(()=>this.deal&&(this.now=o.now()),250)),this.timers.push(setInterval(()=>void this.loadSales(),M)),await Promise.all([this.loadBag(),this.loadShopProducts(),this.loadDeal(),this.loadModeration(),this.loadMedia(),this.loadSales(),this.connect()]))}async mayRun(e,t){let n=e.user;if(n.roles.includes(`admin`)||t.host_id===n.id||e.shops?.some(e=>e.shop_id===t.shop_id&&(e.role===`seller`||e.role===`host`)))return!0;try{return(await r(`${h(t.id)}/team`)).items.some(e=>e.user_id===n.id&&e.role===`cohost`)}catch{return!1}}async loadBag(){try{this.bag=(await r(`${h(this.showId)}/products`)).items}catch(e){this.fail(`bag`,e)}}async loadShopProducts(){if(this.show)try{this.shopProducts=(await r(`/api/v1/shops/${S(this.show.shop_id)}/products?limit=200`)).items}catch{this.shopProducts=[]}}async loadDeal(){try{let e=(await r(`${h(this.showId)}/deals`)).items.find(e=>e.state===`active`||e.state===`scheduled`)??null;e?.now&&o.sync(e.now),this.deal=e}catch{}}async loadModeration(){try{let e=await r(`${h(this.showId)}/moderation`);this.moderation=e.moderation,this.muted=e.muted}catch(e){this.fail(`mod`,e)}}async loadMedia(){try{this.media=(await r(`${h(this.showId)}/media`)).media,this.media.whip_url&&(this.whipURL=this.media.whip_url)}catch{this.media=null}}async loadSales(){if(!this.show||this.sales===`hidden`)return;let e=this.show.id,t=new URLSearchParams({show_id:e,limit:String(P)}),[n,i]=await Promise.allSettled([r(`${h(e)}/sales`),r(`/api/v1/orders?${t}`)]);if(!(this.closed||this.show?.id!==e)){if(n.status===`fulfilled`){let e=n.value.sales;this.sales={orders:e.orders,pending:e.by_state.reserved??0,units:e.units,gmv:e.gmv_by_currency}}else n.reason instanceof c&&[403,404,503].includes(n.reason.status)&&(this.sales=`hidden`);i.status===`fulfilled`&&(this.orders=i.value.items)}}salesSoon(){clearTimeout(this.salesTimer),this.salesTimer=setTimeout(()=>void this.loadSales(),N)}sample(e=!1){let t=o.now(),n=this.samples[this.samples.length-1];this.samples=e&&n&&t-n.at<j?[...this.samples.slice(0,-1),{at:n.at,n:this.viewers}]:[...this.samples,{at:t,n:this.viewers}].slice(-720)}async connect(){try{this.conn=await f(this.showId,{show:e=>this.onShow(e),chat:e=>this.onChat(e),likes:e=>this.likes=e,status:e=>this.realtime=e})}catch{this.conn=null}this.closed&&(this.conn?.close(),this.conn=null),this.conn||(this.realtime=!1)}onShow(e){switch(e.type){case`state`:this.show&&={...this.show,state:e.state};break;case`pinned`:this.show&&={...this.show,pinned_product_id:e.product.id};break;case`unpinned`:this.show&&={...this.show,pinned_product_id:null};break;case`viewers`:this.viewers=e.count,this.sample(!0);break;case`deal_started`:o.sync(e.now),this.deal=e.deal;break;case`deal_ended`:o.sync(e.now),this.deal&&this.deal.id!==e.deal?.id||(this.deal=null);break;case`purchase`:this.salesSoon(),this.deal&&this.refreshDeal()}}onChat(e){if(e.type===`messages`&&Array.isArray(e.items)){let t=new Set(this.chat.map(e=>e.id));for(let t of e.items)this.names.set(t.user.id,t.user.name);this.chat=[...this.chat,...e.items.filter(e=>!t.has(e.id))].slice(-200),this.updateComplete.then(()=>{let e=this.renderRoot.querySelector(`ul.chat`);e&&(e.scrollTop=e.scrollHeight)})}e.type===`removed`&&(this.chat=this.chat.filter(t=>t.id!==e.id))}async startCamera(){if(this.camError=``,!navigator.mediaDevices?.getUserMedia)return this.camError=v(`studio.cam.unsupported`),!1;try{let e=await navigator.mediaDevices.getUserMedia({video:{...this.cameraId?{deviceId:{exact:this.cameraId}}:{facingMode:`user`},width:{ideal:720},height:{ideal:1280},frameRate:{ideal:30}},audio:!this.micId||{deviceId:{exact:this.micId}}}),t=this.stream;this.stream=e;for(let e of t?.getTracks()??[])e.stop();return await this.publisher?.replace(e),this.cameraId=e.getVideoTracks()[0]?.getSettings().deviceId??this.cameraId,this.micId=e.getAudioTracks()[0]?.getSettings().deviceId??this.micId,this.devices=(await navigator.mediaDevices.enumerateDevices()).filter(e=>e.kind===`videoinput`||e.kind===`audioinput`),!0}catch(e){let t=e.name;return this.camError=v(t===`NotAllowedError`?`studio.cam.denied`:t===`NotFoundError`?`studio.cam.none`:`studio.cam.failed`),!1}}updated(e){let t=this.renderRoot.querySelector(`video.preview-video`);t&&t.srcObject!==this.stream&&(t.srcObject=this.stream),e.has(`confirmKey`)&&this.confirmKey&&this.renderRoot.querySelector(`[data-testid=key-confirm]`)?.focus(),e.has(`confirmEnd`)&&this.confirmEnd&&this.renderRoot.querySelector(`[data-testid=end-confirm]`)?.focus()}pickDevice(e,t){e===`camera`?this.cameraId=t:this.micId=t,this.startCamera()}storedKey(){return sessionStorage.getItem(O(this.showId))}async rotateKey(){try{let e=await r(`${h(this.showId)}/stream-key`,{method:`POST`,headers:{"Idempotency-Key":y()}});return sessionStorage.setItem(O(this.showId),e.stream_key),this.whipURL=e.whip_url,e.stream_key}catch(e){return this.fail(`live`,e),null}}async keyConfirmed(){let e=this.confirmKey;this.confirmKey=null,this.busy=`key`;let t=await this.rotateKey();this.busy=``,t&&(e===`obs`?this.obs={url:this.whipURL,key:t}:e===`broadcast`?await this.startBroadcast():e===`golive`&&await this.goLive())}async startBroadcast(e=`broadcast`){if(this.publisher)return!0;if(!this.stream&&!await this.startCamera())return!1;let t=this.storedKey();if(!t)return this.confirmKey=e,!1;let n=this.whipURL||`${location.origin}/whip/${S(this.showId)}`;this.busy=`broadcast`;try{return this.publisher=await D(n,t,this.stream,this.media?.ice_servers??[],e=>{this.pub=e,e===`stopped`&&(this.publisher=null)}),this.say(`live`,`ok`,``),!0}catch(t){return this.publisher=null,t instanceof w&&t.status===401?(sessionStorage.removeItem(O(this.showId)),this.say(`live`,`error`,v(`studio.err.keyReplaced`)),this.confirmKey=e):t instanceof w&&t.status===409?this.say(`live`,`error`,v(`studio.err.ended`)):this.say(`live`,`error`,v(`studio.err.broadcast`)),!1}finally{this.busy=``}}async stopBroadcast(){let e=this.publisher;this.publisher=null,await e?.stop(),this.pub=`stopped`}async transition(e){try{let t=await r(`${h(this.showId)}/${e}`,{method:`POST`});return o.sync(t.show.now),this.show=t.show,!0}catch(t){if(t instanceof c&&t.status===409){let t=(await r(h(this.showId)).catch(()=>null))?.show;if(t&&(this.show=t),e===`start`&&t?.state===`live`)return!0}return this.fail(`live`,t),!1}}async rehearse(){this.busy=`rehearse`,await this.transition(`rehearse`),this.busy=``}async goLive(){await this.startBroadcast(`golive`)&&(this.busy=`golive`,this.show?.state!==`live`&&await this.transition(`start`),this.busy=``)}async endShow(){this.confirmEnd=!1,this.busy=`end`,await this.transition(`end`)&&(await this.stopBroadcast(),sessionStorage.removeItem(O(this.showId))),this.busy=``}async copy(e,t){try{await navigator.clipboard.writeText(e),this.say(`obs`,`ok`,v(`studio.obs.copied`,{what:t}))}catch{this.say(`obs`,`error`,v(`studio.obs.copyFailed`))}}async saveBag(e){this.busy=`bag`;try{this.bag=(await r(`${h(this.showId)}/products`,{method:`PUT`,body:{product_ids:e}})).items,this.show?.pinned_product_id&&!e.includes(this.show.pinned_product_id)&&(this.show={...this.show,pinned_product_id:null}),this.say(`bag`,`ok`,v(`studio.bag.saved`))}catch(e){this.fail(`bag`,e)}finally{this.busy=``}}move(e,t){let n=this.bag.map(e=>e.id),r=e+t;r<0||r>=n.length||([n[e],n[r]]=[n[r],n[e]],this.saveBag(n))}addProduct(e){e.preventDefault();let t=e.target.querySelector(`select`);t.value&&this.saveBag([...this.bag.map(e=>e.id),t.value])}async pin(e){this.busy=`pin`;try{let t=e?await r(`${h(this.showId)}/pin`,{method:`POST`,body:{product_id:e}}):await r(`${h(this.showId)}/unpin`,{method:`POST`});this.show=t.show,this.say(`bag`,`ok`,v(e?`studio.bag.pinnedNow`:`studio.bag.unpinnedNow`))}catch(e){this.fail(`bag`,e)}finally{this.busy=``}}async launchDeal(e){e.preventDefault();let t=e.target,n=new FormData(t),i=this.show?.markets??[],a={};for(let e of i){let t=u.markets.find(t=>t.code===e),r=F(String(n.get(`price-${e}`)??``),t?.minor_units??2);if(r===null){this.say(`deal`,`error`,v(`studio.deal.badPrice`,{market:e}));return}a[e]=r}let s=Number(n.get(`quantity`)),c=String(n.get(`limit`)??``).trim(),l={sku_id:String(n.get(`sku`)),prices:a,quantity:s,duration_seconds:Number(n.get(`duration`))};c&&(l.max_per_buyer=Number(c)),this.busy=`deal`;try{let e=await r(`${h(this.showId)}/deals`,{method:`POST`,body:l,headers:{"Idempotency-Key":y()}});e.deal.now&&o.sync(e.deal.now),this.deal=e.deal,this.now=o.now(),this.say(`deal`,`ok`,v(`studio.deal.launched`))}catch(e){this.fail(`deal`,e)}finally{this.busy=``}}async refreshDeal(){let e=this.deal;if(e)try{let t=await r(`/api/v1/deals/${S(e.id)}`);t.deal.now&&o.sync(t.deal.now),this.deal=t.deal.state===`active`||t.deal.state===`scheduled`?t.deal:null}catch{}}async endDeal(){let e=this.deal;if(e){this.busy=`deal`;try{await r(`/api/v1/deals/${S(e.id)}/end`,{method:`POST`}),this.deal=null,this.say(`deal`,`ok`,v(`studio.deal.endedNow`))}catch(e){this.fail(`deal`,e)}finally{this.busy=``}}}async send(e){e.preventDefault();let t=e.target.querySelector(`input`),n=t.value.trim();if(n&&this.conn)try{await this.conn.send(n),t.value=``,this.say(`chat`,`ok`,``)}catch(e){let t=e instanceof _?e.code:`other`;this.say(`chat`,`error`,v(`chat.err.${[`unauthenticated`,`muted`,`slow_mode`,`rate_limited`,`blocked`,`too_long`,`show_not_live`].includes(t)?t:`other`}`))}}async deleteMessage(e){try{await r(`${h(this.showId)}/messages/${S(e.id)}`,{method:`DELETE`}),this.chat=this.chat.filter(t=>t.id!==e.id),this.say(`chat`,`ok`,v(`studio.chat.deleted`))}catch(e){this.fail(`chat`,e)}}async mute(e,t){try{await r(`${h(this.showId)}/mutes/${S(e)}`,{method:t?`POST`:`DELETE`}),this.muted=t?[...new Set([...this.muted,e])]:this.muted.filter(t=>t!==e);let n=this.names.get(e)??e;this.say(`chat`,`ok`,v(t?`studio.chat.mutedNow`:`studio.chat.unmutedNow`,{name:n}))}catch(e){this.fail(`chat`,e)}}async saveModeration(e){e.preventDefault();let t=new FormData(e.target),n=String(t.get(`words`)??``).split(/[\n,]/).map(e=>e.trim()).filter(Boolean);this.busy=`mod`;try{let e=await r(`${h(this.showId)}/moderation`,{method:`PATCH`,body:{slow_mode_seconds:Number(t.get(`slow`)),blocked_words:n,links_allowed:t.get(`links`)===`on`}});this.moderation=e.moderation,this.say(`mod`,`ok`,v(`studio.mod.saved`))}catch(e){this.fail(`mod`,e)}finally{this.busy=``}}money(e,t,n){if(t&&(!n||t.currency===n))return m(e,t,u.lang);let r=u.markets.find(e=>e.currency===n);return r?m(e,r,u.lang):`${e} ${n??``}`}note(n){let r=this.msg[n];return!r||!r[1]?t:r[0]===`error`?e`<p class="alert" role="alert" data-testid="${n}-error">${r[1]}</p>`:e`<p class="status ok" role="status" data-testid="${n}-ok">${r[1]}</p>`}render(){switch(this.st,this.access){case`loading`:return e`<p class="center" role="status">${v(`common.loading`)}</p>`;case`login`:return e`<div class="center" data-testid="studio-login"><h1>${v(`studio.title`)}</h1><p>${v(`studio.access.login`)}</p>
          <a class="btn" href="/account?next=${encodeURIComponent(`/studio/${this.showId}`)}">${v(`studio.access.loginButton`)}</a></div>`;case`missing`:return e`<div class="center" role="alert" data-testid="studio-missing"><h1>${v(`studio.title`)}</h1><p>${v(`studio.access.missing`)}</p><p><a href="/">${v(`common.backHome`)}</a></p></div>`;case`forbidden`:return e`<div class="center" role="alert" data-testid="studio-forbidden"><h1>${v(`studio.title`)}</h1><p>${v(`studio.access.forbidden`)}</p>
          <p><a href="/shows/${this.showId}">${v(`studio.access.watch`)}</a></p></div>`;case`error`:return e`<div class="center" role="alert"><p>${v(`common.loadFailed`)}</p><button class="btn" @click=${()=>void this.load()}>${v(`common.retry`)}</button></div>`}let n=this.show;return e`
      <div class="head">
        <h1>${v(`studio.title`)}: ${n.title}</h1>
        <span class="badge ${n.state}" data-testid="studio-state">${v(`studio.state.${n.state}`)}</span>
        <span class="spacer"></span>
        ${this.realtime===!1?e`<span class="muted">${v(`studio.realtimeOff`)}</span>`:t}
        <a href="/shows/${n.id}" target="_blank" rel="noopener">${v(`studio.openViewer`)}</a>
      </div>
      <div class="grid">
        <div class="col">${this.renderCamera(n)} ${this.renderOBS(n)}</div>
        <div class="col">${this.renderStats()} ${this.renderOrders()} ${this.renderDeal(n)} ${this.renderBag(n)}</div>
        <div class="col">${this.renderChat()} ${this.renderModeration()}</div>
      </div>
    `}renderCamera(n){let r=this.devices.filter(e=>e.kind===`videoinput`),i=this.devices.filter(e=>e.kind===`audioinput`),a=this.pub===`live`,o=n.state===`ended`;return e`<section aria-labelledby="cam-h">
      <h2 id="cam-h">${v(`studio.cam.title`)}</h2>
      <div class="preview">
        <video class="preview-video" data-testid="preview" muted playsinline autoplay aria-label=${v(`studio.cam.preview`)}></video>
        ${this.stream?t:e`<div class="off">${v(`studio.cam.off`)}</div>`}
        ${a?e`<span class="onair" data-testid="on-air">${v(`studio.live.onAir`)}</span>`:t}
      </div>
      ${this.camError?e`<p class="alert" role="alert">${this.camError}</p>`:t}
      ${this.stream?e`<div class="row">
            <label>${v(`studio.cam.camera`)}
              <select data-testid="camera" @change=${e=>this.pickDevice(`camera`,e.target.value)}>
                ${r.map((t,n)=>e`<option value=${t.deviceId} ?selected=${t.deviceId===this.cameraId}>${t.label||v(`studio.cam.cameraN`,{n:n+1})}</option>`)}
              </select>
            </label>
            <label>${v(`studio.cam.mic`)}
              <select data-testid="mic" @change=${e=>this.pickDevice(`mic`,e.target.value)}>
                ${i.map((t,n)=>e`<option value=${t.deviceId} ?selected=${t.deviceId===this.micId}>${t.label||v(`studio.cam.micN`,{n:n+1})}</option>`)}
              </select>
            </label>
          </div>`:e`<button class="btn secondary" data-testid="camera-on" @click=${()=>void this.startCamera()}>${v(`studio.cam.turnOn`)}</button>`}
      <p class="status" role="status" data-testid="broadcast-status">${v(`studio.live.${this.pub}`)}</p>
      ${this.confirmKey&&this.confirmKey!==`obs`?this.renderKeyWarning():t}
      ${this.confirmEnd?e`<div class="warn" role="alertdialog" aria-labelledby="end-q">
            <p id="end-q">${v(`studio.live.endQuestion`)}</p>
            <div class="row">
              <button class="btn danger small" data-testid="end-confirm" @click=${()=>void this.endShow()}>${v(`studio.live.endYes`)}</button>
              <button class="btn secondary small" @click=${()=>this.confirmEnd=!1}>${v(`studio.cancel`)}</button>
            </div>
          </div>`:t}
      <div class="row" style="margin-top:.6rem">
        ${n.state===`scheduled`?e`<button class="btn secondary" data-testid="rehearse" ?disabled=${!!this.busy} @click=${()=>void this.rehearse()}>${v(`studio.live.rehearse`)}</button>`:t}
        ${n.state===`scheduled`||n.state===`rehearsal`?e`<button class="btn" data-testid="go-live" ?disabled=${!!this.busy} aria-busy=${this.busy===`golive`||this.busy===`broadcast`?`true`:`false`}
              @click=${()=>void this.goLive()}>${v(`studio.live.goLive`)}</button>`:t}
        ${!o&&!this.publisher&&n.state!==`scheduled`?e`<button class="btn secondary" data-testid="broadcast" ?disabled=${!!this.busy} @click=${()=>void this.startBroadcast()}>${v(n.state===`rehearsal`?`studio.live.test`:`studio.live.resume`)}</button>`:t}
        ${this.publisher&&n.state!==`live`?e`<button class="btn secondary" data-testid="broadcast-stop" @click=${()=>void this.stopBroadcast()}>${v(`studio.live.stop`)}</button>`:t}
        ${n.state===`live`||n.state===`rehearsal`?e`<button class="btn danger" data-testid="end-show" ?disabled=${!!this.busy} @click=${()=>this.confirmEnd=!0}>${v(`studio.live.end`)}</button>`:t}
      </div>
      ${n.state===`rehearsal`?e`<p class="status muted">${v(`studio.live.rehearsalNote`)}</p>`:t}
      ${o?e`<p class="status muted">${v(`studio.live.endedNote`)}</p>`:t}
      ${this.note(`live`)}
    </section>`}renderKeyWarning(){return e`<div class="warn" role="alertdialog" aria-labelledby="key-q" data-testid="key-warning">
      <p id="key-q">${v(`studio.key.warning`)}</p>
      <div class="row">
        <button class="btn small" data-testid="key-confirm" @click=${()=>void this.keyConfirmed()}>${v(`studio.key.confirm`)}</button>
        <button class="btn secondary small" @click=${()=>this.confirmKey=null}>${v(`studio.cancel`)}</button>
      </div>
    </div>`}renderOBS(n){return n.state===`ended`?t:e`<section aria-labelledby="obs-h">
      <h2 id="obs-h">${v(`studio.obs.title`)}</h2>
      <p class="muted">${v(`studio.obs.help`)}</p>
      ${this.confirmKey===`obs`?this.renderKeyWarning():t}
      ${this.obs?e`<div data-testid="obs-settings">
            <div class="secret">
              <label>${v(`studio.obs.server`)}<output data-testid="obs-url">${this.obs.url}</output></label>
              <button class="btn secondary small" @click=${()=>void this.copy(this.obs.url,v(`studio.obs.server`))}>${v(`studio.obs.copy`)}</button>
            </div>
            <div class="secret">
              <label>${v(`studio.obs.key`)}<output data-testid="obs-key">${this.obs.key}</output></label>
              <button class="btn secondary small" @click=${()=>void this.copy(this.obs.key,v(`studio.obs.key`))}>${v(`studio.obs.copy`)}</button>
            </div>
            <p class="status muted">${v(`studio.obs.once`)}</p>
            <button class="btn secondary small" @click=${()=>this.obs=null}>${v(`studio.obs.hide`)}</button>
          </div>`:e`<button class="btn secondary" data-testid="obs-key-new" ?disabled=${!!this.busy} @click=${()=>this.confirmKey=`obs`}>${v(`studio.obs.newKey`)}</button>`}
      ${this.note(`obs`)}
    </section>`}renderStats(){let n=u.locale,r=this.sales,i=r&&r!==`hidden`?r.gmv.length?r.gmv.map(e=>this.money(e.amount,this.market,e.currency)).join(` · `):this.money(0,this.market):`—`;return e`<section aria-labelledby="stats-h">
      <h2 id="stats-h">${v(`studio.stats.title`)}</h2>
      <div class="stats">
        <div class="stat"><span class="n" data-testid="stat-viewers">${d(this.viewers,n)}</span><span class="l">${v(`studio.stats.viewers`)}</span></div>
        <div class="stat"><span class="n" data-testid="stat-likes">${d(this.likes,n)}</span><span class="l">${v(`studio.stats.likes`)}</span></div>
        <div class="stat"><span class="n" data-testid="stat-orders">${r&&r!==`hidden`?d(r.orders,n):`—`}</span><span class="l">${v(`studio.stats.orders`)}</span></div>
        <div class="stat"><span class="n" data-testid="stat-units">${r&&r!==`hidden`?d(r.units,n):`—`}</span><span class="l">${v(`studio.stats.units`)}</span></div>
        <div class="stat"><span class="n" data-testid="stat-gmv">${i}</span><span class="l">${v(`studio.stats.gmv`)}</span></div>
      </div>
      ${r&&r!==`hidden`&&r.pending?e`<p class="status muted" data-testid="stat-pending">${v(`studio.stats.pending`,{n:r.pending})}</p>`:t}
      ${r===`hidden`?e`<p class="status muted">${v(`studio.stats.hidden`)}</p>`:t}
      ${this.renderChart()}
    </section>`}renderOrders(){if(this.sales===`hidden`)return t;let n=new Map;for(let e of[...this.shopProducts,...this.bag])for(let t of e.skus)n.set(t.id,L(e,t));let r=new Intl.DateTimeFormat(u.locale,{timeStyle:`short`});return e`<section aria-labelledby="orders-h">
      <h2 id="orders-h">${v(`studio.orders.title`)}</h2>
      ${this.orders.length?e`<ul class="orders" data-testid="orders-list">
            ${this.orders.map(i=>e`<li data-testid="order-row" data-state=${i.state}>
                <span class="muted">${i.created_at?e`<time datetime=${i.created_at}>${r.format(new Date(i.created_at))}</time>`:t}</span>
                <span class="what">${i.lines.map(e=>v(`studio.orders.line`,{n:e.quantity,item:n.get(e.sku_id)??e.sku_id})).join(`, `)}</span>
                <span class="total">${this.money(i.total.amount,this.market,i.total.currency)}</span>
                <span class="badge ${i.state}">${v(`orders.state.${i.state}`)}</span>
              </li>`)}
          </ul>`:e`<p class="muted" data-testid="orders-empty">${v(`studio.orders.empty`)}</p>`}
    </section>`}renderChart(){let n=this.samples,r=Math.max(1,...n.map(e=>e.n)),i=n[0]?.at??0,a=Math.max(1,(n[n.length-1]?.at??0)-i),o=n.map(e=>`${(e.at-i)/a*300},${76-e.n/r*70}`).join(` `),s=Math.round(a/6e4),c=v(`studio.stats.chart`,{now:this.viewers,peak:Math.max(...n.map(e=>e.n),this.viewers),mins:s});return e`<svg class="chart" viewBox="0 0 ${300} ${80}" preserveAspectRatio="none" role="img" aria-label=${c} data-testid="viewers-chart" data-points=${n.length}>
        ${b`<line x1="0" y1=${76} x2=${300} y2=${76} stroke="#d4d4d8" stroke-width="1" />`}
        ${n.length>1?b`<polyline fill="none" stroke="#c2410c" stroke-width="2" vector-effect="non-scaling-stroke" points=${o} />`:t}
      </svg>
      <div class="chart-legend" aria-hidden="true"><span>${v(`studio.stats.ago`,{mins:s})}</span><span>${v(`studio.stats.peak`,{n:r})}</span></div>`}renderDeal(n){let r=this.deal,i=this.bag.flatMap(e=>e.skus.map(t=>({p:e,k:t}))),a=this.now||o.now();return e`<section aria-labelledby="deal-h">
      <h2 id="deal-h">${v(`studio.deal.title`)}</h2>
      ${r?this.renderActiveDeal(r,a):t}
      ${n.state===`ended`?t:i.length===0?e`<p class="muted">${v(`studio.deal.needBag`)}</p>`:e`<form @submit=${e=>void this.launchDeal(e)} data-testid="deal-form">
              <label>${v(`studio.deal.sku`)}
                <select name="sku" required>${i.map(({p:t,k:n})=>e`<option value=${n.id}>${L(t,n)}</option>`)}</select>
              </label>
              <div class="row">
                ${n.markets.map(t=>{let n=u.markets.find(e=>e.code===t);return e`<label>${v(`studio.deal.price`,{currency:n?.currency??t})}
                    <input name="price-${t}" inputmode="decimal" required autocomplete="off" data-testid="deal-price-${t}" /></label>`})}
              </div>
              <div class="row">
                <label>${v(`studio.deal.quantity`)}<input name="quantity" type="number" min="1" value="10" required data-testid="deal-quantity" /></label>
                <label>${v(`studio.deal.limit`)}<input name="limit" type="number" min="1" placeholder=${v(`studio.deal.noLimit`)} data-testid="deal-limit" /></label>
                <label>${v(`studio.deal.duration`)}
                  <select name="duration" data-testid="deal-duration">
                    ${A.map(t=>e`<option value=${t} ?selected=${t===60}>${t<60?v(`studio.deal.seconds`,{n:t}):v(`studio.deal.minutes`,{n:t/60})}</option>`)}
                  </select>
                </label>
              </div>
              <button class="btn" data-testid="deal-launch" ?disabled=${!!this.busy||!!(r&&r.state===`active`)}>${v(`studio.deal.launch`)}</button>
            </form>`}
      ${this.note(`deal`)}
    </section>`}renderActiveDeal(n,r){let i=this.bag.find(e=>e.skus.some(e=>e.id===n.sku_id)),a=i?.skus.find(e=>e.id===n.sku_id),o=this.show?.markets[0]??``,s=Date.parse(n.starts_at),c=Date.parse(n.ends_at),l=r>=s;return e`<div class="deal" data-testid="active-deal">
      <div><strong>${i&&a?L(i,a):n.sku_id}</strong></div>
      <div>${n.prices[o]===void 0?``:this.money(n.prices[o],this.market)}
        ${n.remaining===void 0?t:e` · <span data-testid="deal-remaining">${v(`studio.deal.remaining`,{n:n.remaining,of:n.quantity})}</span>`}</div>
      <div class="countdown" role="timer" aria-live="off" data-testid="deal-countdown">${I((l?c:s)-r)}</div>
      <div class="muted">${v(l?`studio.deal.endsIn`:`studio.deal.startsIn`)}</div>
      <button class="btn secondary small" data-testid="deal-end" ?disabled=${!!this.busy} @click=${()=>void this.endDeal()}>${v(`studio.deal.end`)}</button>
    </div>`}renderBag(n){let r=new Set(this.bag.map(e=>e.id)),a=this.shopProducts.filter(e=>!r.has(e.id)),o=n.state!==`ended`,s=n.markets[0]??``;return e`<section aria-labelledby="bag-h">
      <h2 id="bag-h">${v(`studio.bag.title`)}</h2>
      ${this.bag.length===0?e`<p class="muted">${v(`studio.bag.empty`)}</p>`:t}
      <ol class="bag" data-testid="bag">
        ${this.bag.map((r,a)=>{let c=n.pinned_product_id===r.id,d=i(r,u.lang),f=r.skus.map(e=>e.prices[s]).filter(e=>typeof e==`number`);return e`<li class=${c?`pinned`:``} data-testid="bag-item" data-product=${r.id}>
            ${r.images[0]?e`<img src=${l(r.images[0])} alt="" loading="lazy" />`:e`<span></span>`}
            <div>
              <div class="ptitle">${d}</div>
              <div class="muted">${f.length?this.money(Math.min(...f),this.market):``}${c?e` · <strong>${v(`studio.bag.pinned`)}</strong>`:t}</div>
            </div>
            ${o?e`<div class="tools">
                  <button class="btn small ${c?`secondary`:``}" data-testid=${c?`unpin`:`pin`} ?disabled=${!!this.busy}
                    aria-label=${v(c?`studio.bag.unpinNamed`:`studio.bag.pinNamed`,{title:d})}
                    @click=${()=>void this.pin(c?null:r.id)}>${v(c?`studio.bag.unpin`:`studio.bag.pin`)}</button>
                  <button class="icon" ?disabled=${a===0||!!this.busy} aria-label=${v(`studio.bag.up`,{title:d})} @click=${()=>this.move(a,-1)}>↑</button>
                  <button class="icon" ?disabled=${a===this.bag.length-1||!!this.busy} aria-label=${v(`studio.bag.down`,{title:d})} @click=${()=>this.move(a,1)}>↓</button>
                  <button class="icon" data-testid="bag-remove" ?disabled=${!!this.busy} aria-label=${v(`studio.bag.remove`,{title:d})}
                    @click=${()=>void this.saveBag(this.bag.filter(e=>e.id!==r.id).map(e=>e.id))}>✕</button>
                </div>`:t}
          </li>`})}
      </ol>
      ${o&&a.length?e`<form class="row" style="margin-top:.6rem" @submit=${e=>this.addProduct(e)}>
            <label>${v(`studio.bag.add`)}
              <select data-testid="bag-add-select">${a.map(t=>e`<option value=${t.id}>${i(t,u.lang)}</option>`)}</select>
            </label>
            <button class="btn small" data-testid="bag-add" ?disabled=${!!this.busy}>${v(`studio.bag.addButton`)}</button>
          </form>`:t}
      ${this.note(`bag`)}
    </section>`}renderChat(){return e`<section aria-labelledby="chat-h">
      <h2 id="chat-h">${v(`studio.chat.title`)}</h2>
      ${this.chat.length===0?e`<p class="muted">${v(`studio.chat.empty`)}</p>`:t}
      <ul class="chat" role="log" aria-live="polite" data-testid="studio-chat">
        ${this.chat.map(n=>{let r=this.muted.includes(n.user.id);return e`<li data-testid="chat-message" data-id=${n.id}>
            <div class="text"><span class="who">${n.user.name}</span>${n.text}</div>
            <div class="tools">
              <button class="btn secondary small" data-testid="chat-delete" aria-label=${v(`studio.chat.deleteNamed`,{name:n.user.name})} @click=${()=>void this.deleteMessage(n)}>${v(`studio.chat.delete`)}</button>
              ${n.user.id===u.user?.id?t:e`<button class="btn secondary small" data-testid=${r?`chat-unmute`:`chat-mute`}
                    aria-label=${v(r?`studio.chat.unmuteNamed`:`studio.chat.muteNamed`,{name:n.user.name})}
                    @click=${()=>void this.mute(n.user.id,!r)}>${v(r?`studio.chat.unmute`:`studio.chat.mute`)}</button>`}
            </div>
          </li>`})}
      </ul>
      ${this.conn?e`<form class="send" @submit=${e=>void this.send(e)}>
            <label class="sr-only" for="studio-msg">${v(`chat.input`)}</label>
            <input id="studio-msg" autocomplete="off" maxlength="500" placeholder=${v(`studio.chat.placeholder`)} ?disabled=${!this.realtime} />
            <button class="btn small" ?disabled=${!this.realtime}>${v(`chat.send`)}</button>
          </form>`:t}
      ${this.note(`chat`)}
      ${this.muted.length?e`<h3>${v(`studio.chat.mutedTitle`)}</h3>
            <ul class="muted" data-testid="muted-list">
              ${this.muted.map(t=>e`<li><span>${this.names.get(t)??t}</span>
                <button class="btn secondary small" aria-label=${v(`studio.chat.unmuteNamed`,{name:this.names.get(t)??t})} @click=${()=>void this.mute(t,!1)}>${v(`studio.chat.unmute`)}</button></li>`)}
            </ul>`:t}
    </section>`}renderModeration(){let n=this.moderation;return n?e`<section aria-labelledby="mod-h">
      <h2 id="mod-h">${v(`studio.mod.title`)}</h2>
      <form @submit=${e=>void this.saveModeration(e)} data-testid="mod-form">
        <label>${v(`studio.mod.slow`)}
          <select name="slow" data-testid="slow-mode">
            ${[...new Set([...k,n.slow_mode_seconds])].sort((e,t)=>e-t).map(t=>e`<option value=${t} ?selected=${t===n.slow_mode_seconds}>${t===0?v(`studio.mod.off`):v(`studio.deal.seconds`,{n:t})}</option>`)}
          </select>
        </label>
        <label style="margin-top:.5rem">${v(`studio.mod.words`)}
          <textarea name="words" data-testid="blocked-words" .value=${n.blocked_words.join(`, `)}></textarea>
        </label>
        <p class="status muted">${v(`studio.mod.wordsHelp`)}</p>
        <label class="inline"><input type="checkbox" name="links" ?checked=${n.links_allowed} />${v(`studio.mod.links`)}</label>
        <button class="btn small" style="margin-top:.5rem" data-testid="mod-save" ?disabled=${!!this.busy}>${v(`studio.mod.save`)}</button>
      </form>
      ${this.note(`mod`)}
    </section>`:this.msg.mod?e`<section>${this.note(`mod`)}</section>`:t}};customElements.define(`hawker-studio`,R);export{R as HawkerStudio,F as parseAmount};